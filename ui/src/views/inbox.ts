// Alerts inbox: impostors and the accounts worth a look apart, new first, with verdict,
// platform and when first seen. `#/worth-a-look` (what the daily digest opens) shows only the
// accounts worth a look.

import { api, errorMessage } from "../api";
import { h } from "../dom";
import type { AlertSummary } from "../bindings/AlertSummary";
import { platformLabel } from "./dashboard";

const ORDER: Record<string, number> = { new: 0, seen: 1, reported: 2, snoozed: 3, dismissed: 4, resolved: 5, allowed: 6 };

/** What the page lists: every alert, or only the ones worth a look. */
export type InboxFilter = "all" | "worth-a-look";

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

/** The verdict as the person reads it. */
export function verdictLabel(verdict: string): string {
  return verdict === "impostor" ? "Impostor" : "Worth a look";
}

function row(a: AlertSummary): HTMLElement {
  return h(
    "li",
    { class: `alert-row state-${a.state}` },
    h(
      "a",
      { class: "alert-link", attrs: { href: `#/alerts/${a.id}`, "data-alert-id": String(a.id), "data-verdict": a.verdict } },
      h("span", { class: `verdict verdict-${a.verdict}` }, verdictLabel(a.verdict)),
      a.state === "new" ? h("span", { class: "new" }, "New") : null,
      h("span", { class: "platform" }, platformLabel(a.platform)),
      h("span", { class: "handle" }, "@", a.handle),
      a.display_name ? h("span", { class: "name" }, a.display_name) : null,
      h("span", { class: "seen" }, "first seen ", h("time", { attrs: { datetime: a.first_seen } }, when(a.first_seen))),
      a.state === "snoozed" && a.snoozed_until
        ? h("span", { class: "snoozed" }, "snoozed until ", h("time", { attrs: { datetime: a.snoozed_until } }, when(a.snoozed_until)))
        : null,
    ),
  );
}

/** A list of alerts (titled unless `title` is null: the page's title says it), or a line saying there are none. */
function section(id: string, title: string | null, intro: string, empty: string, alerts: AlertSummary[]): HTMLElement {
  return h(
    "section",
    { class: "inbox-section", id, attrs: { "aria-labelledby": title === null ? "inbox-title" : `${id}-title` } },
    title === null ? null : h("h3", { id: `${id}-title` }, title),
    h("p", { class: "hint" }, intro),
    alerts.length === 0 ? h("p", { class: "empty" }, empty) : h("ul", { class: "inbox" }, ...alerts.map(row)),
  );
}

const WORTH_A_LOOK_INTRO =
  "Accounts that share something with you, such as your exact name, but may be namesakes. They never pop up one by one; at most one notification a day says how many there are (you can turn it off in Settings).";

export async function inboxView(filter: InboxFilter = "all"): Promise<HTMLElement> {
  const only = filter === "worth-a-look";
  const title = only ? "Worth a look" : "Alerts";
  const page = h("section", { attrs: { "aria-labelledby": "inbox-title" } }, h("h2", { id: "inbox-title" }, title));
  let alerts: AlertSummary[];
  try {
    alerts = sortAlerts(await api.listAlerts());
  } catch (e) {
    page.append(h("p", { class: "error", attrs: { role: "alert" } }, errorMessage(e)));
    return page;
  }
  const impostors = alerts.filter((a) => a.verdict === "impostor");
  const worth = alerts.filter((a) => a.verdict !== "impostor");
  if (!only && alerts.length === 0) {
    page.append(h("p", null, "No alerts yet. You will get a notification when an account copies you."));
    return page;
  }
  if (!only) {
    page.append(
      section(
        "impostors",
        "Impostors",
        "Accounts that copy you: each one was announced by a notification.",
        "No impostor so far.",
        impostors,
      ),
    );
  }
  page.append(section("worth-a-look", only ? null : "Worth a look", WORTH_A_LOOK_INTRO, "Nothing worth a look right now.", worth));
  return page;
}
