// Alerts inbox: new first, with verdict, platform and when first seen.

import { api, errorMessage } from "../api";
import { h } from "../dom";
import type { AlertSummary } from "../bindings/AlertSummary";
import { platformLabel } from "./dashboard";

const ORDER: Record<string, number> = { new: 0, seen: 1, reported: 2, snoozed: 3, dismissed: 4, resolved: 5, allowed: 6 };

/** Alerts sorted new first, then most recently seen first. */
export function sortAlerts(alerts: AlertSummary[]): AlertSummary[] {
  return [...alerts].sort(
    (a, b) => (ORDER[a.state] ?? 9) - (ORDER[b.state] ?? 9) || b.first_seen.localeCompare(a.first_seen) || b.id - a.id,
  );
}

/** "2026-11-29 12:03" in local time. */
export function when(rfc3339: string): string {
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export async function inboxView(): Promise<HTMLElement> {
  const section = h("section", { attrs: { "aria-labelledby": "inbox-title" } }, h("h2", { id: "inbox-title" }, "Alerts"));
  let alerts: AlertSummary[];
  try {
    alerts = sortAlerts(await api.listAlerts());
  } catch (e) {
    section.append(h("p", { class: "error", attrs: { role: "alert" } }, errorMessage(e)));
    return section;
  }
  if (alerts.length === 0) {
    section.append(h("p", null, "No alerts yet. You will get a notification when an account copies you."));
    return section;
  }
  section.append(
    h(
      "ul",
      { class: "inbox" },
      ...alerts.map((a) =>
        h(
          "li",
          { class: `alert-row state-${a.state}` },
          h(
            "a",
            { class: "alert-link", attrs: { href: `#/alerts/${a.id}`, "data-alert-id": String(a.id) } },
            h("span", { class: `verdict verdict-${a.verdict}` }, a.verdict === "impostor" ? "Impostor" : "Suspicious"),
            a.state === "new" ? h("span", { class: "new" }, "New") : null,
            h("span", { class: "platform" }, platformLabel(a.platform)),
            h("span", { class: "handle" }, "@", a.handle),
            a.display_name ? h("span", { class: "name" }, a.display_name) : null,
            h("span", { class: "seen" }, "first seen ", h("time", { attrs: { datetime: a.first_seen } }, when(a.first_seen))),
            a.state === "snoozed" && a.snoozed_until
              ? h("span", { class: "snoozed" }, "snoozed until ", h("time", { attrs: { datetime: a.snoozed_until } }, when(a.snoozed_until)))
              : null,
          ),
        ),
      ),
    ),
  );
  return section;
}
