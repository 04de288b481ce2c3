// Dashboard: each source's state in plain words, "check now", pause, the reports still being
// sent (batches.ts) and what came of the reports (outcomes.ts).

import { api, errorMessage } from "../api";
import { setOpenAlerts } from "../app";
import { button, h, replace } from "../dom";
import type { DashboardView } from "../bindings/DashboardView";
import { PLATFORMS } from "../bindings/platforms";
import { batchesSection } from "./batches";
import { outcomesSection } from "./outcomes";

export async function dashboardView(): Promise<HTMLElement> {
  const status = h("p", { class: "status", attrs: { role: "status", "aria-live": "polite" } });
  const body = h("div");
  const show = (d: DashboardView) => {
    setOpenAlerts(d.open_alerts);
    const { impostors, worth_a_look: worth } = d.open_alerts;
    const alertsLine =
      impostors === 0 && worth === 0
        ? h("p", null, "No open alerts. Doppelwatch keeps watching while this window is closed.")
        : h(
            "div",
            { class: "figures" },
            h(
              "p",
              { class: "figure impostors" },
              ...(impostors === 0
                ? ["No impostor alerts."]
                : [h("a", { attrs: { href: "#/alerts" } }, impostors === 1 ? "1 impostor alert" : `${impostors} impostor alerts`), " waiting for you."]),
            ),
            h(
              "p",
              { class: "figure worth-a-look" },
              ...(worth === 0
                ? ["Nothing worth a look."]
                : [h("a", { attrs: { href: "#/worth-a-look" } }, worth === 1 ? "1 account worth a look" : `${worth} accounts worth a look`), " (maybe namesakes: no pop-up for these)."]),
            ),
          );
    const several = new Set(d.sources.map((s) => s.person).filter((p) => p)).size > 1;
    const sources =
      d.sources.length === 0
        ? h("p", null, "No source is set up yet. Add your handles, or credentials in ", h("a", { attrs: { href: "#/settings" } }, "Settings"), ".")
        : h(
            "ul",
            { class: "sources" },
            ...d.sources.map((s) =>
              h(
                "li",
                { class: `source state-${s.state}` },
                h("strong", null, platformLabel(s.platform)),
                // With several people, each has a row per platform: say whose.
                several && s.person ? h("span", { class: "source-person" }, ` for ${s.person}`) : null,
                ": ",
                h("span", { class: "words" }, s.words),
              ),
            ),
          );
    const run = async (what: () => Promise<DashboardView>, doing: string) => {
      status.textContent = doing;
      try {
        show(await what());
        status.textContent = "Done.";
      } catch (e) {
        status.textContent = errorMessage(e);
      }
    };
    replace(
      body,
      alertsLine,
      h("h3", null, "Sources"),
      sources,
      h(
        "div",
        { class: "actions" },
        button("Check now", () => void run(api.checkNow, "Checking every source…"), "primary", { id: "check-now" }),
        button(d.paused ? "Resume watching" : "Pause watching", () => void run(() => api.setPaused(!d.paused), d.paused ? "Resuming…" : "Pausing…"), "", {
          "aria-pressed": d.paused ? "true" : "false",
        }),
      ),
    );
  };
  try {
    show(await api.dashboard());
  } catch (e) {
    status.textContent = errorMessage(e);
  }
  const [batches, outcomes] = await Promise.all([batchesSection(), outcomesSection()]);
  // Reports still being sent come first: they may need the person (interrupted ones).
  return h("section", { attrs: { "aria-labelledby": "dash-title" } }, h("h2", { id: "dash-title" }, "Dashboard"), batches, body, status, outcomes);
}

/** A platform's display name. */
export function platformLabel(platform: string): string {
  return PLATFORMS.find((p) => p.id === platform)?.label ?? platform;
}
