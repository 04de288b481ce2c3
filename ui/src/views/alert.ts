// Alert view: the possible impostor and the person side by side, the reasons, and the actions.
// Every value here was written by whoever owns the account: it is set as text only.

import { api, errorMessage } from "../api";
import { go, setOpenAlerts } from "../app";
import { button, h } from "../dom";
import type { AccountView } from "../bindings/AccountView";
import type { CharMark } from "../bindings/CharMark";
import { platformLabel } from "./dashboard";
import { when } from "./inbox";

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

export async function alertView(id: number): Promise<HTMLElement> {
  const section = h("section", { class: "alert-view", attrs: { "aria-labelledby": "alert-title" } });
  try {
    const d = await api.getAlert(id);
    if (d.summary.state === "new") {
      await api.actOnAlert(id, "seen").catch(() => undefined);
    }
    const status = h("p", { class: "status", attrs: { role: "status", "aria-live": "polite" } });
    const act = async (action: "not_impostor" | "snooze", done: string) => {
      try {
        await api.actOnAlert(id, action);
        status.textContent = done;
        const info = await api.appInfo();
        setOpenAlerts(info.open_alerts);
      } catch (e) {
        status.textContent = errorMessage(e);
      }
    };
    section.append(
      h("h2", { id: "alert-title" }, d.summary.verdict === "impostor" ? "Possible impostor" : "Suspicious account", " on ", platformLabel(d.summary.platform)),
      h("p", null, "Found by ", d.found_by, ", first seen ", h("time", { attrs: { datetime: d.summary.first_seen } }, when(d.summary.first_seen)), "."),
      h("div", { class: "side-by-side" }, accountCard("The other account", d.candidate, "candidate"), accountCard("You", d.person, "person")),
      h("h3", null, "Why it was flagged"),
      h("ul", { class: "reasons" }, ...d.reasons.map((r) => h("li", { attrs: { "data-signal": r.signal } }, r.detail))),
      h(
        "div",
        { class: "actions" },
        button("Report this account", () => go(`#/alerts/${id}/report`), "primary", { id: "report" }),
        button("Not an impostor", () => void act("not_impostor", "Marked as not an impostor. It will not be raised again.")),
        button("Snooze until it changes", () => void act("snooze", "Snoozed. It comes back if the account changes its name, bio or picture.")),
      ),
      status,
    );
  } catch (e) {
    section.append(h("h2", { id: "alert-title" }, "Alert"), h("p", { class: "error", attrs: { role: "alert" } }, errorMessage(e)));
  }
  return section;
}
