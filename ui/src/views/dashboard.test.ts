import { beforeEach, describe, expect, it, vi } from "vitest";
import { mockCommands, settle } from "../test-helpers";
import type { DashboardView } from "../bindings/DashboardView";

vi.mock("../app", () => ({ setOpenAlerts: () => undefined, go: () => undefined }));
const { dashboardView } = await import("./dashboard");

const dash = (paused: boolean, impostors = 2, worth_a_look = 3): DashboardView => ({
  paused,
  open_alerts: { impostors, worth_a_look },
  sources: [
    { platform: "bluesky", person: "Palmer Report", state: "live", words: "watching live (live stream)" },
    { platform: "mastodon", person: "Palmer Report", state: "rate_limited", words: "rate-limited until 12:40" },
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
    expect(view.querySelector(".figure.impostors")?.textContent).toBe("2 impostor alerts waiting for you.");
    expect(view.querySelector(".figure.impostors a")?.getAttribute("href")).toBe("#/alerts");
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

  it("says impostors and accounts worth a look apart, each linking to its list", async () => {
    mockCommands({ dashboard: () => dash(false, 0, 1) });
    const view = await dashboardView();
    expect(view.querySelector(".figure.impostors")?.textContent).toBe("No impostor alerts.");
    const worth = view.querySelector(".figure.worth-a-look")!;
    expect(worth.textContent).toBe("1 account worth a look (maybe namesakes: no pop-up for these).");
    expect(worth.querySelector("a")?.getAttribute("href")).toBe("#/worth-a-look");

    mockCommands({ dashboard: () => dash(false, 1, 0) });
    const one = await dashboardView();
    expect(one.querySelector(".figure.impostors")?.textContent).toBe("1 impostor alert waiting for you.");
    expect(one.querySelector(".figure.worth-a-look")?.textContent).toBe("Nothing worth a look.");

    mockCommands({ dashboard: () => dash(false, 0, 0) });
    const none = await dashboardView();
    expect(none.querySelector(".figure")).toBeNull();
    expect(none.textContent).toContain("No open alerts.");
  });

  it("says whose each source is when several people are watched", async () => {
    const two = dash(false);
    two.sources.push({ platform: "bluesky", person: "Jane Doe", state: "idle", words: "last check 12:03, next check 12:18" });
    mockCommands({ dashboard: () => two });
    const view = await dashboardView();
    const items = [...view.querySelectorAll(".sources li")].map((li) => li.textContent);
    expect(items).toEqual([
      "Bluesky for Palmer Report: watching live (live stream)",
      "Mastodon for Palmer Report: rate-limited until 12:40",
      "Bluesky for Jane Doe: last check 12:03, next check 12:18",
    ]);
  });
});
