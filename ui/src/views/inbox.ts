// Alerts inbox: impostors and the accounts worth a look apart, new first. Each row shows the
// person imitated (their picture and name) beside the account (its picture, the handle with
// look-alike characters marked, platform, age, followers, first seen). Filters by person,
// platform, state and verdict live in the hash (`#/alerts?person=2&state=new`), so they survive
// a reload. Keyboard: j/k or the arrow keys move, space selects, Enter or o opens.
// Long lists are shown a page at a time: Rust filters, orders and counts them and sends one
// page (`PAGE` rows) when asked (`api.listAlerts`): the first at once, the next when the end
// of the list scrolls into view, with "Show more", or when j/arrow moves past the last row
// shown, so 10,000 alerts open and filter as fast as a hundred. "Select all" takes every alert
// the filters match (their ids from Rust), not only the rows shown.
// `#/worth-a-look` (what the daily digest opens) shows only the accounts worth a look.

import { api, errorMessage } from "../api";
import { go } from "../app";
import { button, h, replace } from "../dom";
import type { AlertListPage } from "../bindings/AlertListPage";
import type { AlertListRow } from "../bindings/AlertListRow";
import type { AlertQuery } from "../bindings/AlertQuery";
import type { AlertRow } from "../bindings/AlertRow";
import type { PersonView } from "../bindings/PersonView";
import type { ReportBatchView } from "../bindings/ReportBatchView";
import { PLATFORMS } from "../bindings/platforms";
import { hashQuery, MAX_FORMS } from "../router";
import { markedHandle } from "./alert";
import { batchWords } from "./batches";
import { platformLabel } from "./dashboard";

const ORDER: Record<string, number> = { new: 0, seen: 1, reported: 2, snoozed: 3, dismissed: 4, resolved: 5, allowed: 6 };

/** What the page lists: every alert, or only the ones worth a look. */
export type InboxFilter = "all" | "worth-a-look";

/** The list's filters, as kept in the hash's query. */
export interface Filters {
  person: string;
  platform: string;
  state: string;
  verdict: string;
}

const FILTER_KEYS: (keyof Filters)[] = ["person", "platform", "state", "verdict"];

/** How many rows' pictures are asked for at once. */
const PICTURE_BATCH = 100;
/** Rows shown at first, and added by each "Show more". */
export const PAGE = 100;

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

/** The filters in a hash (`#/alerts?state=new`); missing ones are empty (all). */
export function readFilters(hash: string): Filters {
  const q = hashQuery(hash);
  return { person: q.get("person") ?? "", platform: q.get("platform") ?? "", state: q.get("state") ?? "", verdict: q.get("verdict") ?? "" };
}

/** The hash for a list with these filters (empty ones left out). */
export function filtersHash(path: string, f: Filters): string {
  const q = new URLSearchParams();
  for (const k of FILTER_KEYS) if (f[k]) q.set(k, f[k]);
  const query = q.toString();
  return query ? `${path}?${query}` : path;
}

/** The query Rust answers for these filters; `verdict` (a section's) overrides theirs. */
export function alertQuery(f: Filters, verdict: string = f.verdict): AlertQuery {
  return { person: f.person ? Number(f.person) : null, platform: f.platform || null, state: f.state || null, verdict: verdict || null };
}

/** A picture, or a placeholder saying there is none. */
export function picture(src: string | null | undefined, alt: string, cls: string): HTMLElement {
  if (!src) return h("span", { class: `${cls} none`, attrs: { role: "img", "aria-label": `${alt}: none` } }, "?");
  const img = h("img", { class: cls, attrs: { alt } });
  img.src = src;
  return img;
}

/** The handle with its look-alike characters marked (from the core's marks). */
export function handleWithMarks(a: AlertRow): HTMLElement {
  const marks = a.handle_marks ?? [];
  if (marks.length === 0) return h("span", { class: "handle" }, "@", a.handle);
  const { handle } = markedHandle(marks);
  handle.classList.add("handle");
  return handle;
}

/** A list row's handle with its look-alike characters marked, from the marks Rust places. */
export function listHandle(a: AlertListRow): HTMLElement {
  const span = h("span", { class: "handle-marked handle" }, "@");
  const at = new Map(a.marks.map((m) => [m.at, m]));
  let run = "";
  Array.from(a.handle).forEach((ch, i) => {
    const m = at.get(i);
    if (!m) {
      run += ch;
      return;
    }
    if (run) span.append(run);
    run = "";
    span.append(h("mark", { attrs: { title: m.note } }, m.ch));
  });
  if (run) span.append(run);
  return span;
}

function row(a: AlertListRow, people: Map<number, PersonView>, selected: Set<number>): HTMLElement {
  const person = people.get(a.person_id);
  const personName = a.person_name ?? person?.name ?? "";
  const tick = h("input", {
    class: "select",
    attrs: { type: "checkbox", "aria-label": `Select @${a.handle}`, tabindex: "-1" },
  });
  tick.checked = selected.has(a.id);
  tick.addEventListener("change", () => {
    if (tick.checked) selected.add(a.id);
    else selected.delete(a.id);
    tick.closest("li")?.classList.toggle("selected", tick.checked);
    tick.dispatchEvent(new CustomEvent("selection", { bubbles: true }));
  });
  return h(
    "li",
    { class: `alert-row state-${a.state}${selected.has(a.id) ? " selected" : ""}`, attrs: { "data-alert-id": String(a.id), "data-wave-id": a.wave_id === null ? null : String(a.wave_id) } },
    tick,
    h(
      "span",
      { class: "faces" },
      picture(person?.avatar, `Picture of ${personName}`, "face person-face"),
      picture(null, `Picture of @${a.handle}`, "face account-face"),
    ),
    h(
      "a",
      { class: "alert-link", attrs: { href: `#/alerts/${a.id}`, "data-alert-id": String(a.id), "data-verdict": a.verdict } },
      h("span", { class: `verdict verdict-${a.verdict}` }, verdictLabel(a.verdict)),
      a.state === "new" ? h("span", { class: "new" }, "New") : null,
      personName ? h("span", { class: "person" }, "imitating ", h("strong", null, personName)) : null,
      h("span", { class: "platform" }, platformLabel(a.platform)),
      listHandle(a),
      a.display_name ? h("span", { class: "name" }, a.display_name) : null,
      a.age ? h("span", { class: "age" }, a.age) : null,
      a.followers !== null && a.followers !== undefined ? h("span", { class: "followers" }, `${a.followers} followers`) : null,
      h("span", { class: "seen" }, "first seen ", h("time", { attrs: { datetime: a.first_seen } }, when(a.first_seen))),
      a.state === "snoozed" && a.snoozed_until
        ? h("span", { class: "snoozed" }, "snoozed until ", h("time", { attrs: { datetime: a.snoozed_until } }, when(a.snoozed_until)))
        : null,
    ),
  );
}

/** What "Show more" runs, by its button (the keyboard waits for it before moving on). */
const pageLoaders = new WeakMap<Element, () => Promise<void>>();

/**
 * A list of `total` items shown `size` (`PAGE`) at a time: `first` (the first page) at once, then a
 * "Show more" row at the end that asks `next(offset)` for the next page when pressed, when it
 * scrolls into view, or when the keyboard moves past the last row shown (see
 * [`keyboardNavigation`]). `onPage` gets each page's items once they are in the list (to fetch
 * their pictures). With `key`, an item already in the list is not shown twice (an item added
 * meanwhile shifts the pages by one).
 */
export function pagedList<T>(
  first: T[],
  total: number,
  next: (offset: number) => Promise<T[]>,
  render: (item: T) => HTMLElement,
  onPage: (page: T[]) => void,
  cls = "inbox",
  key?: (item: T) => unknown,
  size = PAGE,
): HTMLUListElement {
  const ul = h("ul", { class: cls });
  /** How many items the pages held so far (where the next one starts). */
  let shown = 0;
  const listed = new Set<unknown>();
  let loading: Promise<void> | null = null;
  const more = button("", () => void addPage(), "show-more");
  const moreRow = h("li", { class: "more" }, more);
  const observer = typeof IntersectionObserver === "undefined" ? null : new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) void addPage();
  });
  const show = (received: T[]) => {
    shown += received.length;
    const page = key ? received.filter((item) => !listed.has(key(item))) : received;
    if (key) for (const item of page) listed.add(key(item));
    moreRow.remove();
    ul.append(...page.map(render));
    const left = page.length === 0 ? 0 : total - shown;
    if (left > 0) {
      more.textContent = `Show ${Math.min(size, left)} more (${left} not shown)`;
      more.disabled = false;
      ul.append(moreRow);
      observer?.observe(moreRow);
    } else observer?.disconnect();
    onPage(page);
  };
  const addPage = (): Promise<void> =>
    (loading ??= (async () => {
      more.disabled = true;
      try {
        show(await next(shown));
      } catch (e) {
        more.disabled = false;
        more.textContent = `Could not show more: ${errorMessage(e)}. Try again`;
      } finally {
        loading = null;
      }
    })());
  pageLoaders.set(more, addPage);
  show(first);
  return ul;
}

/** A list of alerts (titled unless `title` is null: the page's title says it), or a line saying there are none. */
function section(id: string, title: string | null, intro: string, empty: string, list: HTMLElement | null): HTMLElement {
  return h(
    "section",
    // Untitled, it is the page's own list: no landmark of its own (the page's has that name).
    { class: "inbox-section", id, attrs: { "aria-labelledby": title === null ? null : `${id}-title` } },
    title === null ? null : h("h3", { id: `${id}-title` }, title),
    h("p", { class: "hint" }, intro),
    list ?? h("p", { class: "empty" }, empty),
  );
}

const WORTH_A_LOOK_INTRO =
  "Accounts that share something with you, such as your exact name, but may be namesakes. They never pop up one by one; at most one notification a day says how many there are (you can turn it off in Settings).";

/** Fills in the accounts' pictures of these rows, a batch at a time. */
async function loadPictures(page: HTMLElement, ids: number[]): Promise<void> {
  for (let i = 0; i < ids.length; i += PICTURE_BATCH) {
    const pictures = await api.alertPictures(ids.slice(i, i + PICTURE_BATCH)).catch(() => []);
    for (const p of pictures) {
      if (!p.avatar) continue;
      const slot = page.querySelector(`li[data-alert-id="${p.id}"] .account-face`);
      slot?.replaceWith(picture(p.avatar, slot.getAttribute("aria-label")?.replace(/: none$/, "") ?? "Picture", "face account-face"));
    }
  }
}

/**
 * Keyboard navigation over the links of `list`: j/ArrowDown and k/ArrowUp move the focus,
 * space ticks the focused row, Enter (the link's own) or o opens it. Moving down from the last
 * row shown of a paged list ([`pagedList`]) shows its next page first.
 */
export function keyboardNavigation(list: HTMLElement, linkSelector: string, tickSelector: string): void {
  list.addEventListener("keydown", (ev) => {
    const target = ev.target as HTMLElement;
    if (target.matches("input, select, textarea, button") && !target.matches(tickSelector)) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const links = [...list.querySelectorAll<HTMLElement>(linkSelector)];
    if (links.length === 0) return;
    const item = target.closest("li, .tile");
    const current = links.findIndex((l) => l === target || (item !== null && item.contains(l)));
    const move = (to: number, among = links) => {
      const next = among[Math.max(0, Math.min(among.length - 1, to))];
      for (const l of among) l.closest("li, .tile")?.classList.remove("focused");
      next.closest("li, .tile")?.classList.add("focused");
      next.focus();
    };
    if ((ev.key === "j" || ev.key === "ArrowDown") && current >= 0) {
      // The last row shown of a paged list: show the next page, then move into it.
      const next = links[current].closest("li")?.nextElementSibling;
      const more = next?.matches("li.more") ? next.querySelector<HTMLButtonElement>("button.show-more") : null;
      const load = more ? pageLoaders.get(more) : undefined;
      if (load) {
        ev.preventDefault();
        const from = links[current];
        void load().then(() => {
          const now = [...list.querySelectorAll<HTMLElement>(linkSelector)];
          move(now.indexOf(from) + 1, now);
        });
        return;
      }
    }
    switch (ev.key) {
      case "j":
      case "ArrowDown":
        ev.preventDefault();
        move(current < 0 ? 0 : current + 1);
        return;
      case "k":
      case "ArrowUp":
        ev.preventDefault();
        move(current < 0 ? 0 : current - 1);
        return;
      case " ": {
        if (current < 0) return;
        ev.preventDefault();
        const tick = links[current].closest("li, .tile")?.querySelector<HTMLInputElement>(tickSelector);
        tick?.click();
        return;
      }
      case "o":
        if (current < 0) return;
        ev.preventDefault();
        go(links[current].getAttribute("href") ?? "#/alerts");
        return;
    }
  });
}

/** The filter controls; `onChange` gets the new filters. */
function filterBar(initial: Filters, people: PersonView[], only: boolean, onChange: (f: Filters) => void): HTMLElement {
  const f = { ...initial };
  const select = (key: keyof Filters, label: string, options: [string, string][]) => {
    const el = h("select", { id: `filter-${key}`, attrs: { "aria-label": label } }, h("option", { attrs: { value: "" } }, `Any ${label.toLowerCase()}`));
    for (const [value, text] of options) el.append(h("option", { attrs: { value } }, text));
    el.value = options.some(([v]) => v === f[key]) ? f[key] : "";
    el.addEventListener("change", () => {
      f[key] = el.value;
      onChange({ ...f });
    });
    return h("label", { class: "filter" }, label, " ", el);
  };
  return h(
    "div",
    { class: "filters", attrs: { role: "group", "aria-label": "Filters" } },
    select("person", "Person", people.map((p) => [String(p.id), p.name])),
    select("platform", "Platform", PLATFORMS.map((p) => [p.id, p.label])),
    select("state", "State", Object.keys(ORDER).map((s) => [s, s[0].toUpperCase() + s.slice(1)])),
    only ? null : select("verdict", "Verdict", [["impostor", "Impostor"], ["suspicious", "Worth a look"]]),
  );
}

/**
 * How long a batch of reports waits before the watcher sends it (time to undo), unless the
 * settings say otherwise (`watch.report_undo_secs`, read from the app info).
 */
export const UNDO_SECS = 180;

/** An undo window in words: "3 minutes", "1 minute", "20 seconds". */
function undoWords(secs: number): string {
  if (secs >= 60 && secs % 60 === 0) return secs === 60 ? "1 minute" : `${secs / 60} minutes`;
  return secs === 1 ? "1 second" : `${secs} seconds`;
}


/**
 * "Mark N as not an impostor" and "Report N" on the ticked alerts; `done` runs after (to show
 * them anew). Reporting asks first, then queues one batch that the background watcher sends
 * after an undo window, and follows it.
 */
/** The platforms whose reports go through an official web form, one account at a time. */
const FORM_ONLY = new Set<string>(PLATFORMS.filter((p) => p.web_form && !p.report_api).map((p) => p.id));

export function batchBar(
  selected: Set<number>,
  done: () => void,
  platformOf: (id: number) => string | undefined = () => undefined,
): { bar: HTMLElement; status: HTMLElement; update: () => void } {
  const status = h("p", { class: "status", attrs: { role: "status", "aria-live": "polite" } });
  const notes = h("ul", { class: "batch-notes" });
  const allow = button("", () => void run(), "batch-allow");
  const report = button("", () => ask(), "batch-report");
  // Accounts on form-only platforms (X, YouTube) are walked through their forms in turn.
  const formIds = () => [...selected].filter((id) => FORM_ONLY.has(platformOf(id) ?? ""));
  const forms = button("", () => go(`#/forms/${formIds().slice(0, MAX_FORMS).join(",")}`), "batch-forms", { hidden: true });
  const confirmBox = h("div", { class: "confirm", attrs: { hidden: true } });
  const undo = button("Undo", () => void undoBatch(), "batch-undo", { hidden: true });
  let batchId: number | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  let undoSecs = UNDO_SECS;
  void api
    .appInfo()
    .then((info) => (undoSecs = info.report_undo_secs))
    .catch(() => {});
  // The rest go in one batch through the platforms' report APIs (an unknown platform is left
  // to the core, which says why it left an account out).
  const apiIds = () => [...selected].filter((id) => !FORM_ONLY.has(platformOf(id) ?? ""));
  const update = () => {
    const n = selected.size;
    allow.textContent = `Mark ${n} as not an impostor`;
    allow.disabled = n === 0;
    const byApi = apiIds().length;
    report.textContent = `Report ${byApi}`;
    report.disabled = byApi === 0;
    const byForm = formIds().length;
    forms.textContent = `Report ${byForm} through ${byForm === 1 ? "its form" : "their forms"}…`;
    forms.hidden = byForm === 0;
  };
  const run = async () => {
    const ids = [...selected];
    allow.disabled = true;
    status.textContent = `Marking ${ids.length}…`;
    try {
      const result = await api.actOnAlerts(ids, "not_impostor");
      for (const s of result.done) selected.delete(s.id);
      const failed = result.failed.length ? ` ${result.failed.length} could not be: ${result.failed.map((f) => f.message).join("; ")}` : "";
      status.textContent = `${result.done.length} marked as not an impostor.${failed}`;
      done();
    } catch (e) {
      status.textContent = errorMessage(e);
      update();
    }
  };
  const show = (b: ReportBatchView) => {
    const waiting = b.queued + b.sending;
    const at = new Date(b.send_after).toLocaleTimeString();
    status.textContent = waiting > 0 && Date.now() < Date.parse(b.send_after) ? `${waiting} reports will be sent at ${at}; undo before then.` : batchWords(b);
    replace(notes, ...b.notes.map((n) => h("li", null, n)));
    undo.hidden = !(b.queued > 0);
    if (waiting === 0 && timer) {
      clearInterval(timer);
      timer = null;
      done();
    }
  };
  const follow = () => {
    if (timer) clearInterval(timer);
    timer = setInterval(() => {
      if (batchId === null) return;
      void api.reportBatch(batchId).then(show).catch((e) => (status.textContent = errorMessage(e)));
    }, 2000);
  };
  const file = async () => {
    const ids = apiIds();
    confirmBox.hidden = true;
    status.textContent = `Queuing ${ids.length} reports…`;
    try {
      const b = await api.queueReports(ids, undoSecs);
      batchId = b.id;
      for (const id of ids) selected.delete(id);
      update();
      show(b);
      follow();
    } catch (e) {
      status.textContent = errorMessage(e);
    }
  };
  const ask = () => {
    const n = apiIds().length;
    const byForm = formIds().length;
    const leftOut = byForm === 0 ? "" : ` The ${byForm === 1 ? "ticked account" : `${byForm} ticked accounts`} on platforms without a report API (X, YouTube) ${byForm === 1 ? "stays" : "stay"} ticked for their forms.`;
    replace(
      confirmBox,
      h("p", null, `File ${n} ${n === 1 ? "report" : "reports"} through the platforms' report APIs, as you? They are sent ${undoWords(undoSecs)} from now, one at a time, within your daily limit; you can undo until then.${leftOut}`),
      button(`File ${n} ${n === 1 ? "report" : "reports"}`, () => void file(), "batch-confirm"),
      button("Cancel", () => {
        confirmBox.hidden = true;
        report.focus();
      }, "batch-cancel"),
    );
    confirmBox.hidden = false;
    confirmBox.querySelector<HTMLButtonElement>("button.batch-confirm")?.focus();
  };
  const undoBatch = async () => {
    if (batchId === null) return;
    try {
      show(await api.undoReportBatch(batchId));
    } catch (e) {
      status.textContent = errorMessage(e);
    }
  };
  update();
  return {
    bar: h("div", { class: "batch", attrs: { role: "group", "aria-label": "Act on the selected alerts" } }, allow, report, forms, undo, status, confirmBox, notes),
    status,
    update,
  };
}

/** One section of the list: its id, title, intro, what it says when empty, and its verdict. */
interface Part {
  id: string;
  title: string | null;
  intro: string;
  empty: string;
  verdict: string;
}

/** The sections the filters show (impostors, worth a look), each listing one verdict. */
function parts(f: Filters, only: boolean): Part[] {
  const filtered = FILTER_KEYS.some((k) => f[k]);
  const out: Part[] = [];
  if (!only && f.verdict !== "suspicious") {
    out.push({ id: "impostors", title: "Impostors", intro: "Accounts that copy you: each one was announced by a notification.", empty: filtered ? "No impostor matches the filters." : "No impostor so far.", verdict: "impostor" });
  }
  if (f.verdict !== "impostor") {
    out.push({ id: "worth-a-look", title: only ? null : "Worth a look", intro: WORTH_A_LOOK_INTRO, empty: filtered ? "Nothing worth a look matches the filters." : "Nothing worth a look right now.", verdict: "suspicious" });
  }
  return out;
}

export async function inboxView(filter: InboxFilter = "all"): Promise<HTMLElement> {
  const only = filter === "worth-a-look";
  const path = only ? "#/worth-a-look" : "#/alerts";
  const title = only ? "Worth a look" : "Alerts";
  const page = h("section", { attrs: { "aria-labelledby": "inbox-title" } }, h("h2", { id: "inbox-title" }, title));
  const initial = readFilters(location.hash);
  /** The first page of each section these filters show. */
  const firstPages = (f: Filters) => Promise.all(parts(f, only).map((p) => api.listAlerts(alertQuery(f, p.verdict), 0, PAGE)));
  let first: AlertListPage[];
  let people: PersonView[];
  try {
    // Filtered, the sections' totals do not say whether there are any alerts at all: Rust counts.
    const counted = FILTER_KEYS.some((k) => initial[k]) ? api.listAlerts(alertQuery(readFilters("")), 0, 0).then((p) => p.total) : null;
    let all: number | null;
    [first, people, all] = await Promise.all([firstPages(initial), api.listPeople().catch(() => []), counted]);
    all ??= first.reduce((n, p) => n + p.total, 0);
    if (!only && all === 0) {
      page.append(h("p", null, "No alerts yet. You will get a notification when an account copies you."));
      return page;
    }
  } catch (e) {
    page.append(h("p", { class: "error", attrs: { role: "alert" } }, errorMessage(e)));
    return page;
  }
  const byId = new Map(people.map((p) => [p.id, p]));
  const selected = new Set<number>();
  /** The platform of each alert that was listed or selected (for "Report N through their forms"). */
  const platforms = new Map<number, string>();
  const body = h("div", { class: "inbox-body" });
  /** Every alert the filters match (both sections; only those worth a look at #/worth-a-look). */
  const everyMatch = (f: Filters) => alertQuery(f, only ? "suspicious" : f.verdict);
  let current = initial;
  let total = 0;
  /** Bumped by each change of filters: an answer for older filters is dropped. */
  let generation = 0;
  const selectAll = button("", () => void toggleAll(), "select-all");
  const batch = batchBar(selected, () => void refresh(current), (id) => platforms.get(id));
  const update = () => {
    batch.update();
    selectAll.textContent = total > 0 && selected.size >= total ? "Clear the selection" : `Select all ${total}`;
    selectAll.disabled = total === 0;
  };
  /** Shows the sections' first pages for `f`. */
  const show = (f: Filters, pages: AlertListPage[]) => {
    total = pages.reduce((n, p) => n + p.total, 0);
    const rows = (p: Part, first: AlertListPage) => {
      const next = async (offset: number) => (await api.listAlerts(alertQuery(f, p.verdict), offset, PAGE)).rows;
      const onPage = (rows: AlertListRow[]) => {
        for (const a of rows) platforms.set(a.id, a.platform);
        void loadPictures(body, rows.map((a) => a.id));
      };
      // An alert that arrives meanwhile shifts the pages: a row already shown is left out.
      return first.total === 0 ? null : pagedList(first.rows, first.total, next, (a) => row(a, byId, selected), onPage, "inbox", (a) => a.id);
    };
    replace(body, ...parts(f, only).map((p, i) => section(p.id, p.title, p.intro, p.empty, rows(p, pages[i]))));
    body.dataset.shown = filtersHash(path, f);
    update();
  };
  /** Asks Rust for `f`'s first pages and shows them (unless newer filters came meanwhile). */
  const refresh = async (f: Filters) => {
    const mine = ++generation;
    current = f;
    try {
      const [pages, keys] = await Promise.all([firstPages(f), selected.size > 0 ? api.listAlertKeys(everyMatch(f)) : null]);
      if (mine !== generation) return;
      // Only what the filters still match stays selected.
      if (keys) {
        const still = new Set(keys.map((k) => k.id));
        for (const id of [...selected]) if (!still.has(id)) selected.delete(id);
      }
      show(f, pages);
    } catch (e) {
      if (mine === generation) batch.status.textContent = errorMessage(e);
    }
  };
  /** Selects every alert the filters match (not only the rows shown), or clears the selection. */
  const toggleAll = async () => {
    if (total > 0 && selected.size >= total) {
      selected.clear();
    } else {
      try {
        const keys = await api.listAlertKeys(everyMatch(current));
        for (const k of keys) {
          selected.add(k.id);
          platforms.set(k.id, k.platform);
        }
      } catch (e) {
        batch.status.textContent = errorMessage(e);
        return;
      }
    }
    for (const tick of body.querySelectorAll<HTMLInputElement>("input.select")) {
      const id = Number(tick.closest("li")?.getAttribute("data-alert-id"));
      tick.checked = selected.has(id);
      tick.closest("li")?.classList.toggle("selected", tick.checked);
    }
    update();
  };
  page.append(
    filterBar(initial, people, only, (f) => {
      // The filters go into the hash without a new navigation (no re-render, focus stays).
      history.replaceState(null, "", filtersHash(path, f));
      void refresh(f);
    }),
    h("p", { class: "hint keys" }, "Keys: j/k or arrows move, space selects, Enter or o opens."),
    h("div", { class: "select-all-bar" }, selectAll),
    batch.bar,
    body,
  );
  body.addEventListener("selection", () => update());
  keyboardNavigation(body, "a.alert-link", "input.select");
  show(initial, first);
  return page;
}
