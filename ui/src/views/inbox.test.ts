import { describe, expect, it } from "vitest";
import { mockCommands } from "../test-helpers";
import { inboxView, sortAlerts, when } from "./inbox";
import type { AlertSummary } from "../bindings/AlertSummary";

const a = (id: number, state: AlertSummary["state"], first_seen: string, snoozed_until: string | null = null, verdict = "impostor"): AlertSummary => ({
  id, platform: "bluesky", handle: `h${id}.bsky.social`, display_name: null, verdict, score: 0.9, state, first_seen, snoozed_until,
});
const namesake = (id: number, state: AlertSummary["state"], first_seen: string) => a(id, state, first_seen, null, "suspicious");

describe("inbox", () => {
  it("lists new alerts first, then the most recent", () => {
    const sorted = sortAlerts([a(1, "seen", "2026-11-29T12:05:00Z"), a(2, "new", "2026-11-29T11:00:00Z"), a(3, "new", "2026-11-29T12:00:00Z"), a(4, "dismissed", "2026-11-29T13:00:00Z")]);
    expect(sorted.map((x) => x.id)).toEqual([3, 2, 1, 4]);
  });

  it("links each alert with verdict, platform and first seen", async () => {
    mockCommands({ list_alerts: () => [a(1, "seen", "2026-11-29T12:05:00Z"), a(2, "new", "2026-11-29T11:00:00Z")] });
    const view = await inboxView();
    const links = [...view.querySelectorAll<HTMLAnchorElement>("a.alert-link")];
    expect(links.map((l) => l.getAttribute("href"))).toEqual(["#/alerts/2", "#/alerts/1"]);
    expect(links[0].textContent).toContain("Impostor");
    expect(links[0].textContent).toContain("New");
    expect(links[0].textContent).toContain("Bluesky");
    expect(links[0].querySelector("time")?.getAttribute("datetime")).toBe("2026-11-29T11:00:00Z");
  });

  it("puts snoozed alerts after the open ones and shows when each comes back", async () => {
    const until = "2026-12-06T12:00:00Z";
    const sorted = sortAlerts([a(1, "dismissed", "2026-11-29T14:00:00Z"), a(2, "snoozed", "2026-11-29T13:00:00Z", until), a(3, "reported", "2026-11-29T11:00:00Z"), a(4, "new", "2026-11-29T10:00:00Z")]);
    expect(sorted.map((x) => x.id)).toEqual([4, 3, 2, 1]);

    mockCommands({ list_alerts: () => [a(1, "seen", "2026-11-29T12:05:00Z"), a(2, "snoozed", "2026-11-29T13:00:00Z", until)] });
    const view = await inboxView();
    const snoozed = view.querySelector<HTMLAnchorElement>('a[data-alert-id="2"]')!;
    expect(snoozed.querySelector(".snoozed")?.textContent).toBe(`snoozed until ${when(until)}`);
    expect(snoozed.querySelector(".snoozed time")?.getAttribute("datetime")).toBe(until);
    expect(view.querySelector('a[data-alert-id="1"] .snoozed')).toBeNull();
  });

  it("lists impostors and accounts worth a look apart", async () => {
    mockCommands({
      list_alerts: () => [namesake(1, "new", "2026-11-29T12:00:00Z"), a(2, "new", "2026-11-29T11:00:00Z"), namesake(3, "seen", "2026-11-29T13:00:00Z")],
    });
    const view = await inboxView();
    expect(view.querySelector("h2")?.textContent).toBe("Alerts");
    const ids = (section: string) => [...view.querySelectorAll(`#${section} a.alert-link`)].map((l) => l.getAttribute("data-alert-id"));
    expect(ids("impostors")).toEqual(["2"]);
    expect(ids("worth-a-look")).toEqual(["1", "3"]);
    expect(view.querySelector("#impostors h3")?.textContent).toBe("Impostors");
    expect(view.querySelector("#worth-a-look h3")?.textContent).toBe("Worth a look");
    expect(view.querySelector('a[data-alert-id="1"] .verdict')?.textContent).toBe("Worth a look");
    expect(view.querySelector('a[data-alert-id="2"] .verdict')?.textContent).toBe("Impostor");
    expect(view.querySelector("#worth-a-look .hint")?.textContent).toContain("never pop up one by one");
  });

  it("shows only the accounts worth a look at #/worth-a-look (what the daily digest opens)", async () => {
    mockCommands({ list_alerts: () => [namesake(1, "new", "2026-11-29T12:00:00Z"), a(2, "new", "2026-11-29T11:00:00Z")] });
    const view = await inboxView("worth-a-look");
    expect(view.querySelector("h2")?.textContent).toBe("Worth a look");
    expect([...view.querySelectorAll("a.alert-link")].map((l) => l.getAttribute("data-alert-id"))).toEqual(["1"]);
    expect(view.querySelector("#impostors")).toBeNull();

    mockCommands({ list_alerts: () => [a(2, "new", "2026-11-29T11:00:00Z")] });
    const empty = await inboxView("worth-a-look");
    expect(empty.querySelector("a.alert-link")).toBeNull();
    expect(empty.querySelector(".empty")?.textContent).toBe("Nothing worth a look right now.");
  });
});
