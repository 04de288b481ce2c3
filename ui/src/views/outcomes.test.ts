import { beforeEach, describe, expect, it, vi } from "vitest";
import { mockCommands, settle } from "../test-helpers";
import type { OutcomesView } from "../bindings/OutcomesView";

vi.mock("../app", () => ({ setOpenAlerts: () => undefined, go: () => undefined }));
const { outcomesSection, weekWords } = await import("./outcomes");

const week = (week: string, starts: string, taken_down: number, reported: number, open: number, closed: number) => ({
  week,
  starts,
  taken_down,
  reported,
  open,
  closed,
  total: taken_down + reported + open + closed,
});

const OUTCOMES: OutcomesView = {
  cases: 11,
  open: 1,
  reported: 8,
  taken_down: 5,
  still_up: 3,
  follow_up_due: 2,
  platforms: [
    { platform: "bluesky", reported: 3, taken_down: 3, median_days_to_takedown: 3 },
    { platform: "x", reported: 2, taken_down: 0, median_days_to_takedown: null },
  ],
  weeks: [week("2026-W39", "2026-09-21", 2, 0, 0, 2), week("2026-W40", "2026-09-28", 3, 0, 0, 0), week("2026-W41", "2026-10-05", 0, 0, 0, 0), week("2026-W42", "2026-10-12", 0, 3, 1, 0)],
};

describe("outcomes on the dashboard", () => {
  beforeEach(() => document.body.replaceChildren());

  it("shows the figures, a labelled chart of the weeks and the same numbers as a table", async () => {
    mockCommands({ outcomes: () => OUTCOMES });
    const view = await outcomesSection();
    document.body.append(view);
    const figures = [...view.querySelectorAll(".outcome-figures dd")].map((d) => d.textContent);
    expect(figures).toEqual(["1", "8", "5", "3 (2 up a week after the report: follow up from the alert)"]);
    expect(view.querySelector(".per-platform")?.textContent).toContain("Bluesky: 3 reported, 3 taken down, median 3.0 days from report to takedown.");
    expect(view.querySelector(".per-platform")?.textContent).toContain("X: 2 reported, 0 taken down, no takedown yet.");

    const chart = view.querySelector("svg.outcomes-chart")!;
    expect(chart.getAttribute("role")).toBe("img");
    expect(chart.getAttribute("aria-labelledby")).toBe("chart-title chart-desc");
    expect(chart.querySelector("title")?.textContent).toBe("Impostors found per week, by outcome");
    expect(chart.querySelector("desc")?.textContent).toContain("2026-W42: 4 impostors found; 3 reported, still up, 1 not reported yet");
    expect(chart.querySelector("desc")?.textContent).toContain("2026-W41: no impostor found");
    // One bar per non-zero series per week: W39 two, W40 one, W41 none, W42 two.
    expect(chart.querySelectorAll("rect.bar").length).toBe(5);
    expect(chart.querySelectorAll('rect.bar[data-week="2026-W41"]').length).toBe(0);
    // The tallest week reaches the top of the scale; bars stack to the week's total.
    const heights = (w: string) => [...chart.querySelectorAll(`rect.bar[data-week="${w}"]`)].reduce((n, r) => n + Number(r.getAttribute("height")), 0);
    expect(heights("2026-W39")).toBeCloseTo(heights("2026-W42"));
    expect(heights("2026-W40")).toBeCloseTo((heights("2026-W42") * 3) / 4);

    const rows = [...view.querySelectorAll(".outcomes-table tbody tr")].map((tr) => [...tr.children].map((c) => c.textContent));
    expect(rows[0]).toEqual(["2026-W39 (from 2026-09-21)", "2", "0", "0", "2", "4"]);
    expect(rows[3]).toEqual(["2026-W42 (from 2026-10-12)", "0", "3", "1", "0", "4"]);
  });

  it("exports every case as CSV and says where", async () => {
    const calls = mockCommands({ outcomes: () => OUTCOMES, export_cases: () => "/home/me/Downloads/doppelwatch-cases-20261206-221000.csv" });
    const view = await outcomesSection();
    document.body.append(view);
    view.querySelector<HTMLButtonElement>("#export-cases")!.click();
    await settle();
    expect(calls.filter((c) => c.cmd === "export_cases").length).toBe(1);
    expect(view.querySelector(".status")?.textContent).toBe("Cases saved in /home/me/Downloads/doppelwatch-cases-20261206-221000.csv");
  });

  it("says when there is no case yet, and a failure without hiding the rest", async () => {
    mockCommands({ outcomes: () => ({ ...OUTCOMES, cases: 0, weeks: [], platforms: [] }) });
    const none = await outcomesSection();
    expect(none.textContent).toContain("No impostor cases yet");
    expect(none.querySelector("svg")).toBeNull();
    mockCommands({ outcomes: () => Promise.reject({ kind: "io", message: "the database is locked" }) });
    const failed = await outcomesSection();
    expect(failed.querySelector(".error")?.textContent).toBe("the database is locked");
  });

  it("words a week for screen readers", () => {
    expect(weekWords(week("2026-W50", "2026-12-07", 1, 0, 0, 0))).toBe("2026-W50: 1 impostor found; 1 taken down");
  });
});
