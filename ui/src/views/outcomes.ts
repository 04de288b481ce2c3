// Outcomes on the dashboard (issue 12): open, reported and taken-down cases, the median days
// from a report to a takedown per platform, a chart of the impostors found per week by outcome
// (inline SVG with a title and description, and the same numbers as a table for screen
// readers), and the CSV export of every case.

import { api, errorMessage } from "../api";
import { button, h } from "../dom";
import type { OutcomesView } from "../bindings/OutcomesView";
import type { WeekView } from "../bindings/WeekView";
import { PLATFORMS } from "../bindings/platforms";

/** A platform's display name (as the dashboard's; not imported from it, which imports this). */
const platformLabel = (id: string): string => PLATFORMS.find((p) => p.id === id)?.label ?? id;

const SVG = "http://www.w3.org/2000/svg";

/** How many weeks the chart shows, most recent last. */
export const CHART_WEEKS = 12;

/** The chart's series, bottom to top, with the words the legend and the table use. */
export const SERIES: { key: "taken_down" | "reported" | "open" | "closed"; label: string }[] = [
  { key: "taken_down", label: "taken down" },
  { key: "reported", label: "reported, still up" },
  { key: "open", label: "not reported yet" },
  { key: "closed", label: "closed otherwise" },
];

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const child of children) el.append(child);
  return el;
}

/** "3 impostors found; 1 taken down, 2 not reported yet." for one week. */
export function weekWords(w: WeekView): string {
  const parts = SERIES.filter((s) => w[s.key] > 0).map((s) => `${w[s.key]} ${s.label}`);
  const found = w.total === 1 ? "1 impostor found" : `${w.total} impostors found`;
  return parts.length === 0 ? `${w.week}: no impostor found` : `${w.week}: ${found}; ${parts.join(", ")}`;
}

/** Stacked bars of the impostors found per week, by outcome, drawn as inline SVG. */
export function weeklyChart(weeks: WeekView[]): SVGSVGElement {
  const shown = weeks.slice(-CHART_WEEKS);
  const max = Math.max(1, ...shown.map((w) => w.total));
  const [width, height, top, bottom, left] = [480, 180, 10, 30, 28];
  const slot = (width - left) / Math.max(shown.length, 1);
  const bar = Math.min(32, slot * 0.7);
  const scale = (height - top - bottom) / max;
  const chart = svg(
    "svg",
    { class: "outcomes-chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "chart-title chart-desc", focusable: "false" },
    svg("title", { id: "chart-title" }, "Impostors found per week, by outcome"),
    svg("desc", { id: "chart-desc" }, shown.map(weekWords).join(". ") + "."),
  );
  // The scale: 0 and the highest week.
  for (const value of [0, max]) {
    const y = height - bottom - value * scale;
    chart.append(
      svg("line", { class: "axis", x1: left - 4, x2: width, y1: y, y2: y }),
      svg("text", { class: "tick", x: left - 6, y: y + 4, "text-anchor": "end" }, String(value)),
    );
  }
  shown.forEach((w, i) => {
    const x = left + i * slot + (slot - bar) / 2;
    let y = height - bottom;
    for (const s of SERIES) {
      const n = w[s.key];
      if (n === 0) continue;
      y -= n * scale;
      chart.append(svg("rect", { class: `bar ${s.key}`, x, y, width: bar, height: n * scale, "data-week": w.week }, svg("title", {}, `${w.week}: ${n} ${s.label}`)));
    }
    chart.append(svg("text", { class: "tick", x: x + bar / 2, y: height - bottom + 16, "text-anchor": "middle" }, w.week.slice(-3)));
  });
  return chart;
}

/** The chart's numbers as a table (the same the SVG draws), for screen readers and copying. */
export function weeklyTable(weeks: WeekView[]): HTMLTableElement {
  const shown = weeks.slice(-CHART_WEEKS);
  return h(
    "table",
    { class: "outcomes-table" },
    h("caption", null, "Impostors found per week, by outcome"),
    h("thead", null, h("tr", null, h("th", { attrs: { scope: "col" } }, "Week"), ...SERIES.map((s) => h("th", { attrs: { scope: "col" } }, s.label)), h("th", { attrs: { scope: "col" } }, "found"))),
    h(
      "tbody",
      null,
      ...shown.map((w) =>
        h("tr", null, h("th", { attrs: { scope: "row" } }, `${w.week} (from ${w.starts})`), ...SERIES.map((s) => h("td", null, String(w[s.key]))), h("td", null, String(w.total))),
      ),
    ),
  );
}

/** "median 3.5 days from report to takedown" or "no takedown yet". */
function medianWords(days: number | null): string {
  return days === null ? "no takedown yet" : `median ${days.toFixed(1)} days from report to takedown`;
}

/** The figures, the chart with its table, and the export button. */
export function outcomesBody(o: OutcomesView, status: HTMLElement): HTMLElement {
  const figure = (label: string, value: string, cls: string) => [h("dt", null, label), h("dd", { class: cls }, value)];
  const still = o.follow_up_due > 0 ? `${o.still_up} (${o.follow_up_due} up a week after the report: follow up from the alert)` : String(o.still_up);
  return h(
    "div",
    { class: "outcomes" },
    o.cases === 0
      ? h("p", null, "No impostor cases yet: what comes of your reports will show here.")
      : h(
          "div",
          null,
          h("dl", { class: "outcome-figures" }, ...figure("Waiting for a report", String(o.open), "open"), ...figure("Reported", String(o.reported), "reported"), ...figure("Taken down", String(o.taken_down), "taken-down"), ...figure("Reported, still up", still, "still-up")),
          h("ul", { class: "per-platform" }, ...o.platforms.map((p) => h("li", null, h("strong", null, platformLabel(p.platform)), `: ${p.reported} reported, ${p.taken_down} taken down, ${medianWords(p.median_days_to_takedown)}.`))),
          h("figure", { class: "chart" }, weeklyChart(o.weeks), h("figcaption", null, h("ul", { class: "legend" }, ...SERIES.map((s) => h("li", null, h("span", { class: `swatch ${s.key}`, attrs: { "aria-hidden": "true" } }), s.label))))),
          h("details", null, h("summary", null, "The numbers per week"), weeklyTable(o.weeks)),
        ),
    h(
      "div",
      { class: "actions" },
      button("Export all cases (CSV)", () => void (async () => {
        status.textContent = "Exporting…";
        try {
          status.textContent = `Cases saved in ${await api.exportCases()}`;
        } catch (e) {
          status.textContent = errorMessage(e);
        }
      })(), "", { id: "export-cases" }),
    ),
  );
}

/** The dashboard's outcomes section, loaded on its own (a failure says so and hides nothing else). */
export async function outcomesSection(): Promise<HTMLElement> {
  const status = h("p", { class: "status", attrs: { role: "status", "aria-live": "polite" } });
  const section = h("section", { class: "outcomes-section", attrs: { "aria-labelledby": "outcomes-title" } }, h("h3", { id: "outcomes-title" }, "What came of your reports"));
  try {
    section.append(outcomesBody(await api.outcomes(), status));
  } catch (e) {
    section.append(h("p", { class: "error" }, errorMessage(e)));
  }
  section.append(status);
  return section;
}
