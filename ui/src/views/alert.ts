// Alert view: the possible impostor and the person side by side, the reasons, and the actions.
// Every value here was written by whoever owns the account: it is set as text only.

import { api, errorMessage } from "../api";
import { go, setOpenAlerts } from "../app";
import { button, h } from "../dom";
import type { AccountView } from "../bindings/AccountView";
import type { AlertAction } from "../bindings/AlertAction";
import type { AlertSummary } from "../bindings/AlertSummary";
import type { CharMark } from "../bindings/CharMark";
import type { PostView } from "../bindings/PostView";
import type { SnoozeLength } from "../bindings/SnoozeLength";
import type { FollowUpView } from "../bindings/FollowUpView";
import { platformLabel } from "./dashboard";
import { when } from "./inbox";
import { copyText } from "./report";

/** The handle with deceptive characters highlighted, and the list naming them. */
export function markedHandle(marks: CharMark[]): { handle: HTMLElement; notes: HTMLElement | null } {
  const handle = h(
    "span",
    { class: "handle-marked" },
    "@",
    ...marks.map((m) => (m.note ? h("mark", { attrs: { title: m.note } }, m.ch) : m.ch)),
  );
  const noted = marks.filter((m) => m.note);
  const notes =
    noted.length === 0
      ? null
      : h("ul", { class: "char-notes", attrs: { "aria-label": "Look-alike characters" } }, ...noted.map((m) => h("li", null, h("mark", null, m.ch), " ", m.note!)));
  return { handle, notes };
}

function accountCard(title: string, a: AccountView, cls: string): HTMLElement {
  const { handle, notes } = markedHandle(a.handle_marks);
  const avatar = a.avatar
    ? h("img", { class: "avatar", attrs: { alt: `Profile picture of ${title.toLowerCase()}` } })
    : h("div", { class: "avatar none", attrs: { role: "img", "aria-label": "no profile picture" } }, "?");
  if (a.avatar && avatar instanceof HTMLImageElement) avatar.src = a.avatar;
  const dl = h("dl");
  const row = (term: string, value: string | Node | null | undefined) => {
    if (value === null || value === undefined || value === "") return;
    dl.append(h("dt", null, term), h("dd", null, value));
  };
  row("Platform", platformLabel(a.platform));
  row("Handle", handle);
  row("Name", a.display_name ?? "(none)");
  row("Bio", a.bio ? h("p", { class: "bio" }, a.bio) : "(none)");
  row("Account age", a.age ?? (a.created_at ? `created ${when(a.created_at)}` : "unknown"));
  if (a.followers !== null) row("Followers", String(a.followers));
  row("Profile", a.url ? h("code", { class: "url" }, a.url) : null);
  return h("article", { class: `account ${cls}`, attrs: { "aria-label": title } }, h("h3", null, title), avatar, dl, notes);
}

/**
 * The impostor's latest posts: text only. A link (even `javascript:`) is shown as text with
 * its address visible, never as an anchor; nothing from a post is parsed as HTML.
 */
export function postsList(posts: PostView[]): HTMLElement {
  if (posts.length === 0) {
    return h("p", { class: "posts-none" }, "No posts could be read from this account yet.");
  }
  return h(
    "ol",
    { class: "posts", attrs: { "aria-label": "Its latest posts" } },
    ...posts.map((p) =>
      h(
        "li",
        { class: "post" },
        h("p", { class: "post-text" }, p.text),
        p.flags.length > 0 && h("ul", { class: "post-flags" }, ...p.flags.map((f) => h("li", null, f))),
        p.links.length > 0 && h("p", { class: "post-links" }, "Links: ", ...p.links.flatMap((l, i) => [i > 0 ? ", " : "", h("code", { class: "url" }, l)])),
        h(
          "p",
          { class: "post-meta" },
          p.created_at ? `Posted ${when(p.created_at)}` : "Time unknown",
          p.url ? " · " : "",
          p.url ? h("code", { class: "url" }, p.url) : null,
        ),
      ),
    ),
  );
}

/** The snooze lengths the person picks from, as the buttons name them. */
export const SNOOZE_CHOICES: { length: SnoozeLength; label: string }[] = [
  { length: "one_day", label: "1 day" },
  { length: "one_week", label: "1 week" },
  { length: "thirty_days", label: "30 days" },
];

/** States an alert can be snoozed from (or re-snoozed in). */
const SNOOZABLE: AlertSummary["state"][] = ["new", "seen", "snoozed"];

/** "Snoozed until <date>. It comes back sooner if ..." for a snoozed alert, else null. */
export function snoozedWords(s: AlertSummary): string | null {
  if (s.state !== "snoozed" || !s.snoozed_until) return null;
  return `Snoozed until ${when(s.snoozed_until)}. It comes back sooner if the account changes its name, bio or picture.`;
}

/** The follow-up to a report still unanswered a week later: the text to send, and copy. */
export function followUpBox(f: FollowUpView, status: HTMLElement): HTMLElement {
  const text = h("textarea", { id: "follow-up-text", attrs: { rows: "10", readonly: true } });
  text.value = f.text;
  return h(
    "section",
    { class: "follow-up", attrs: { "aria-labelledby": "follow-up-title" } },
    h("h3", { id: "follow-up-title" }, "Still up a week after your report"),
    h("p", null, f.subject),
    h("label", { attrs: { for: "follow-up-text" } }, "A follow-up that cites your first report"),
    text,
    f.form_url ? h("p", null, "Send it with the platform's form: ", h("code", { class: "url" }, f.form_url)) : null,
    h("div", { class: "actions" }, button("Copy the follow-up", () => (status.textContent = copyText(text.value) ? "Copied." : "Could not copy; select the text and copy it."), "", { id: "copy-follow-up" })),
  );
}

export async function alertView(id: number): Promise<HTMLElement> {
  const section = h("section", { class: "alert-view", attrs: { "aria-labelledby": "alert-title" } });
  try {
    const d = await api.getAlert(id);
    if (d.summary.state === "new") {
      await api.actOnAlert(id, "seen").catch(() => undefined);
    }
    const status = h("p", { class: "status", attrs: { role: "status", "aria-live": "polite" } });
    const snoozedNow = h("p", { class: "snoozed-until" }, snoozedWords(d.summary));
    const act = async (action: AlertAction, done: (s: AlertSummary) => string) => {
      let summary: AlertSummary;
      try {
        summary = await api.actOnAlert(id, action);
      } catch (e) {
        status.textContent = errorMessage(e);
        return;
      }
      status.textContent = done(summary);
      snoozedNow.textContent = snoozedWords(summary) ?? "";
      // The badge is refreshed on its own: failing to count must not hide the confirmation.
      await api
        .appInfo()
        .then((info) => setOpenAlerts(info.open_alerts))
        .catch(() => undefined);
    };
    section.append(
      h("h2", { id: "alert-title" }, d.summary.verdict === "impostor" ? "Possible impostor" : "Account worth a look", " on ", platformLabel(d.summary.platform)),
      h("p", { class: "imitating" }, "Imitating ", h("strong", { class: "person-name" }, d.person.display_name ?? ""), "."),
      h("p", null, "Found by ", d.found_by, ", first seen ", h("time", { attrs: { datetime: d.summary.first_seen } }, when(d.summary.first_seen)), "."),
      snoozedNow,
      h("div", { class: "side-by-side" }, accountCard("The other account", d.candidate, "candidate"), accountCard("You", d.person, "person")),
      h("h3", null, "Why it was flagged"),
      h("ul", { class: "reasons" }, ...d.reasons.map((r) => h("li", { attrs: { "data-signal": r.signal } }, r.detail))),
      h("h3", null, "What it posts"),
      postsList(d.posts),
      h(
        "div",
        { class: "actions" },
        button("Report this account", () => go(`#/alerts/${id}/report`), "primary", { id: "report" }),
        button("Not an impostor", () => void act("not_impostor", () => "Marked as not an impostor. It will not be raised again.")),
        // A labelled group of plain buttons: each is reached with Tab and pressed with
        // Enter or Space; the confirmation goes to the live region below.
        // Offered only where the life cycle allows it (a reported case is followed until it
        // is gone; a closed one has nothing to come back for).
        SNOOZABLE.includes(d.summary.state) &&
        h(
          "div",
          { class: "snooze", attrs: { role: "group", "aria-labelledby": "snooze-label" } },
          h("span", { id: "snooze-label" }, "Snooze for"),
          ...SNOOZE_CHOICES.map((c) =>
            button(
              c.label,
              () => void act({ snooze: c.length }, (s) => snoozedWords(s) ?? "Snoozed."),
              "",
              { "aria-label": `Snooze for ${c.label}`, "data-snooze": c.length },
            ),
          ),
        ),
      ),
      status,
    );
    // A follow-up is offered once the account is still up a week after its report.
    const followUp = d.summary.state === "reported" ? await api.getFollowUp(id).catch(() => null) : null;
    if (followUp) status.before(followUpBox(followUp, status));
  } catch (e) {
    section.append(h("h2", { id: "alert-title" }, "Alert"), h("p", { class: "error", attrs: { role: "alert" } }, errorMessage(e)));
  }
  return section;
}
