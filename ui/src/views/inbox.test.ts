import { describe, expect, it } from "vitest";
import { mockCommands } from "../test-helpers";
import { inboxView, sortAlerts } from "./inbox";
import type { AlertSummary } from "../bindings/AlertSummary";

const a = (id: number, state: AlertSummary["state"], first_seen: string): AlertSummary => ({
  id, platform: "bluesky", handle: `h${id}.bsky.social`, display_name: null, verdict: "impostor", score: 0.9, state, first_seen,
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
});
