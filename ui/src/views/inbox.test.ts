import { describe, expect, it } from "vitest";
import { mockCommands } from "../test-helpers";
import { inboxView, sortAlerts, when } from "./inbox";
import type { AlertSummary } from "../bindings/AlertSummary";

const a = (id: number, state: AlertSummary["state"], first_seen: string, snoozed_until: string | null = null): AlertSummary => ({
  id, platform: "bluesky", handle: `h${id}.bsky.social`, display_name: null, verdict: "impostor", score: 0.9, state, first_seen, snoozed_until,
});

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
});
