import { beforeEach, describe, expect, it, vi } from "vitest";
import { mockCommands, settle } from "../test-helpers";
import type { DashboardView } from "../bindings/DashboardView";

vi.mock("../app", () => ({ setOpenAlerts: () => undefined, go: () => undefined }));
const { dashboardView } = await import("./dashboard");

const dash = (paused: boolean): DashboardView => ({
  paused,
  open_alerts: 2,
  sources: [
    { platform: "bluesky", state: "live", words: "watching live (live stream)" },
    { platform: "mastodon", state: "rate_limited", words: "rate-limited until 12:40" },
  ],
});

describe("dashboard", () => {
  beforeEach(() => document.body.replaceChildren());

  it("says each source's state in words, and checks now / pauses on request", async () => {
    let paused = false;
    const calls = mockCommands({
      dashboard: () => dash(paused),
      check_now: () => dash(paused),
      set_paused: (a) => {
        paused = Boolean(a.paused);
        return dash(paused);
      },
    });
    const view = await dashboardView();
    document.body.append(view);
    const items = [...view.querySelectorAll(".sources li")].map((li) => li.textContent);
    expect(items).toEqual(["Bluesky: watching live (live stream)", "Mastodon: rate-limited until 12:40"]);
    expect(view.textContent).toContain("2 open alerts");
    view.querySelector<HTMLButtonElement>("#check-now")!.click();
    await settle();
    expect(calls.filter((c) => c.cmd === "check_now").length).toBe(1);
    const pause = [...view.querySelectorAll("button")].find((b) => b.textContent === "Pause watching")!;
    pause.click();
    await settle();
    expect(calls.find((c) => c.cmd === "set_paused")?.args).toEqual({ paused: true });
    const resume = [...view.querySelectorAll("button")].find((b) => b.textContent === "Resume watching");
    expect(resume?.getAttribute("aria-pressed")).toBe("true");
  });
});
