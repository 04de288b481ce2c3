import { beforeEach, describe, expect, it } from "vitest";
import { alertListCommands, mockCommands, settle, type Handler } from "../test-helpers";
import { filtersHash, inboxView, listHandle, PAGE, readFilters, when } from "./inbox";
import type { AlertListRow } from "../bindings/AlertListRow";
import type { PersonView } from "../bindings/PersonView";

const a = (id: number, state: AlertListRow["state"], first_seen: string, snoozed_until: string | null = null, verdict = "impostor"): AlertListRow => ({
  id, platform: "bluesky", handle: `h${id}.bsky.social`, display_name: null, verdict, score: 0.9, state, first_seen, snoozed_until,
  person_id: 1, person_name: "Palmer Report", wave_id: null, marks: [], age: null, followers: null,
});
const namesake = (id: number, state: AlertListRow["state"], first_seen: string) => a(id, state, first_seen, null, "suspicious");

const person = (id: number, name: string, avatar: string | null = null): PersonView => ({
  id, name, aliases: [], handles: [{ platform: "bluesky", handle: `${name.split(" ")[0].toLowerCase()}.bsky.social` }], bio: null, avatar, open_alerts: 0, total_alerts: 0,
});
const PEOPLE = [person(1, "Palmer Report", "data:image/png;base64,UEFMTUVS"), person(2, "Jane Doe")];

/** Mocks the list's commands: these alerts (filtered, ordered and paged as Rust does), the two people, no pictures unless given. */
function mockList(alerts: AlertListRow[], more: Record<string, Handler> = {}) {
  return mockCommands({ ...alertListCommands(alerts), list_people: () => PEOPLE, alert_pictures: () => [], ...more });
}

/** Picks a filter's value as the person would, then lets Rust's answer arrive. */
async function pick(view: HTMLElement, key: string, value: string) {
  const select = view.querySelector<HTMLSelectElement>(`#filter-${key}`)!;
  select.value = value;
  select.dispatchEvent(new Event("change"));
  await settle();
}

describe("inbox", () => {
  beforeEach(() => {
    document.body.replaceChildren();
    history.replaceState(null, "", "#/alerts");
  });

  it("asks Rust for each section's first page and lists the rows in Rust's order", async () => {
    const calls = mockList([a(1, "seen", "2026-11-29T12:05:00Z"), a(2, "new", "2026-11-29T11:00:00Z"), a(3, "new", "2026-11-29T12:00:00Z"), a(4, "dismissed", "2026-11-29T13:00:00Z")]);
    const view = await inboxView();
    expect([...view.querySelectorAll("#impostors a.alert-link")].map((l) => l.getAttribute("data-alert-id"))).toEqual(["3", "2", "1", "4"]);
    const asked = calls.filter((c) => c.cmd === "list_alerts").map((c) => c.args);
    const any = { person: null, platform: null, state: null };
    expect(asked).toEqual([
      { query: { ...any, verdict: "impostor" }, offset: 0, limit: PAGE },
      { query: { ...any, verdict: "suspicious" }, offset: 0, limit: PAGE },
    ]);
  });

  it("says there are no alerts yet only when there are none at all, filters or not", async () => {
    mockList([]);
    expect((await inboxView()).textContent).toContain("No alerts yet.");
    history.replaceState(null, "", "#/alerts?platform=x");
    expect((await inboxView()).textContent).toContain("No alerts yet.");
    mockList([a(1, "new", "2026-11-29T12:05:00Z")]);
    const filtered = await inboxView();
    expect(filtered.textContent).not.toContain("No alerts yet.");
    expect(filtered.querySelector("#impostors .empty")?.textContent).toBe("No impostor matches the filters.");
  });

  it("links each alert with verdict, platform and first seen", async () => {
    mockList([a(1, "seen", "2026-11-29T12:05:00Z"), { ...a(2, "new", "2026-11-29T11:00:00Z"), wave_id: 7 }]);
    const view = await inboxView();
    // A row says which wave its alert came in (what the end-to-end test opens the grid of).
    expect([...view.querySelectorAll("li.alert-row")].map((r) => r.getAttribute("data-wave-id"))).toEqual(["7", null]);
    const links = [...view.querySelectorAll<HTMLAnchorElement>("a.alert-link")];
    expect(links.map((l) => l.getAttribute("href"))).toEqual(["#/alerts/2", "#/alerts/1"]);
    expect(links[0].textContent).toContain("Impostor");
    expect(links[0].textContent).toContain("New");
    expect(links[0].textContent).toContain("Bluesky");
    expect(links[0].querySelector("time")?.getAttribute("datetime")).toBe("2026-11-29T11:00:00Z");
  });

  it("puts snoozed alerts after the open ones and shows when each comes back", async () => {
    const until = "2026-12-06T12:00:00Z";
    mockList([a(1, "seen", "2026-11-29T12:05:00Z"), a(2, "snoozed", "2026-11-29T13:00:00Z", until)]);
    const view = await inboxView();
    const snoozed = view.querySelector<HTMLAnchorElement>('a[data-alert-id="2"]')!;
    expect(snoozed.querySelector(".snoozed")?.textContent).toBe(`snoozed until ${when(until)}`);
    expect(snoozed.querySelector(".snoozed time")?.getAttribute("datetime")).toBe(until);
    expect(view.querySelector('a[data-alert-id="1"] .snoozed')).toBeNull();
  });

  it("lists impostors and accounts worth a look apart", async () => {
    mockList([namesake(1, "new", "2026-11-29T12:00:00Z"), a(2, "new", "2026-11-29T11:00:00Z"), namesake(3, "seen", "2026-11-29T13:00:00Z")]);
    const view = await inboxView();
    expect(view.querySelector("h2")?.textContent).toBe("Alerts");
    const ids = (section: string) => [...view.querySelectorAll(`#${section} a.alert-link`)].map((l) => l.getAttribute("data-alert-id"));
    expect(ids("impostors")).toEqual(["2"]);
    expect(ids("worth-a-look")).toEqual(["1", "3"]);
    expect(view.querySelector("#impostors h3")?.textContent).toBe("Impostors");
    expect(view.querySelector("#worth-a-look h3")?.textContent).toBe("Worth a look");
    expect(view.querySelector('a[data-alert-id="1"] .verdict')?.textContent).toBe("Worth a look");
    expect(view.querySelector('a[data-alert-id="2"] .verdict')?.textContent).toBe("Impostor");
    expect(view.querySelector("#worth-a-look .hint")?.textContent).toContain("never pop up one by one");
  });

  it("shows only the accounts worth a look at #/worth-a-look (what the daily digest opens)", async () => {
    mockList([namesake(1, "new", "2026-11-29T12:00:00Z"), a(2, "new", "2026-11-29T11:00:00Z")]);
    const view = await inboxView("worth-a-look");
    expect(view.querySelector("h2")?.textContent).toBe("Worth a look");
    expect([...view.querySelectorAll("a.alert-link")].map((l) => l.getAttribute("data-alert-id"))).toEqual(["1"]);
    expect(view.querySelector("#impostors")).toBeNull();
    // The page is the one landmark named "Worth a look": its list is not a second one.
    expect([view, ...view.querySelectorAll("[aria-labelledby]")].map((e) => e.getAttribute("aria-labelledby"))).toEqual(["inbox-title"]);

    mockList([a(2, "new", "2026-11-29T11:00:00Z")]);
    const empty = await inboxView("worth-a-look");
    expect(empty.querySelector("a.alert-link")).toBeNull();
    expect(empty.querySelector(".empty")?.textContent).toBe("Nothing worth a look right now.");
  });

  it("shows who each account imitates, both pictures, the marked handle, age and followers", async () => {
    const row: AlertListRow = {
      ...a(5, "new", "2026-11-29T11:00:00Z"),
      handle: "paimer.bsky.social",
      marks: [{ at: 2, ch: "i", note: 'looks like "l"' }],
      age: "3 days old",
      followers: 12,
    };
    const calls = mockList([row], { alert_pictures: () => [{ id: 5, avatar: "data:image/png;base64,SU1QT1NUT1I=" }] });
    const view = await inboxView();
    document.body.append(view);
    await settle();
    const li = view.querySelector<HTMLElement>('li[data-alert-id="5"]')!;
    expect(li.querySelector(".person")?.textContent).toBe("imitating Palmer Report");
    expect(li.querySelector<HTMLImageElement>("img.person-face")?.src).toBe("data:image/png;base64,UEFMTUVS");
    expect(li.querySelector<HTMLImageElement>("img.account-face")?.src).toBe("data:image/png;base64,SU1QT1NUT1I=");
    expect(calls.find((c) => c.cmd === "alert_pictures")?.args.ids).toEqual([5]);
    const marked = li.querySelectorAll("a.alert-link mark");
    expect(marked.length).toBe(1);
    expect(marked[0].textContent).toBe("i");
    expect(marked[0].getAttribute("title")).toBe('looks like "l"');
    expect(li.querySelector(".handle")?.textContent).toBe("@paimer.bsky.social");
    expect(li.querySelector(".age")?.textContent).toBe("3 days old");
    expect(li.querySelector(".followers")?.textContent).toBe("12 followers");
    expect(li.querySelector(".platform")?.textContent).toBe("Bluesky");
  });

  it("marks the look-alike characters where Rust places them, counted in code points", () => {
    const row = { ...a(1, "new", "2026-11-29T11:00:00Z"), handle: "\u{1F600}paImer\u200B.x", marks: [{ at: 3, ch: "I", note: "looks like l" }, { at: 7, ch: "\u2423", note: "hidden character" }] };
    const handle = listHandle(row);
    expect([...handle.querySelectorAll("mark")].map((m) => [m.textContent, m.getAttribute("title")])).toEqual([["I", "looks like l"], ["\u2423", "hidden character"]]);
    expect(handle.textContent).toBe("@\u{1F600}paI" + "mer\u2423.x");
    expect(listHandle(a(2, "new", "2026-11-29T11:00:00Z")).textContent).toBe("@h2.bsky.social");
  });

  it("filters by person, platform, state and verdict, kept in the hash across a reload", async () => {
    const jane = (id: number, platform: string, state: AlertListRow["state"], verdict = "impostor"): AlertListRow => ({
      ...a(id, state, `2026-11-29T1${id}:00:00Z`, null, verdict), platform, person_id: 2, person_name: "Jane Doe",
    });
    const alerts = [a(1, "new", "2026-11-29T10:00:00Z"), jane(2, "bluesky", "new"), jane(3, "x", "new"), jane(4, "x", "seen"), jane(5, "x", "new", "suspicious")];
    mockList(alerts);
    const view = await inboxView();
    document.body.append(view);
    await settle();
    const shown = () => [...view.querySelectorAll("a.alert-link")].map((l) => Number(l.getAttribute("data-alert-id"))).sort();
    expect(shown()).toEqual([1, 2, 3, 4, 5]);
    await pick(view, "person", "2");
    expect(shown()).toEqual([2, 3, 4, 5]);
    expect(view.querySelector("#filter-person")?.textContent).toContain("Jane Doe");
    await pick(view, "platform", "x");
    await pick(view, "state", "new");
    expect(shown()).toEqual([3, 5]);
    await pick(view, "verdict", "impostor");
    expect(shown()).toEqual([3]);
    expect(view.querySelector("#worth-a-look")).toBeNull();
    expect(location.hash).toBe("#/alerts?person=2&platform=x&state=new&verdict=impostor");

    // A reload reads the filters back from the hash.
    const again = await inboxView();
    await settle();
    expect([...again.querySelectorAll("a.alert-link")].map((l) => l.getAttribute("data-alert-id"))).toEqual(["3"]);
    expect(again.querySelector<HTMLSelectElement>("#filter-platform")?.value).toBe("x");
    expect(readFilters("#/alerts?state=seen")).toEqual({ person: "", platform: "", state: "seen", verdict: "" });
    expect(filtersHash("#/alerts", { person: "", platform: "", state: "", verdict: "" })).toBe("#/alerts");
  });

  it("moves with j/k and the arrows, selects with space, opens with o, and acts on the selection", async () => {
    const alerts = [a(1, "new", "2026-11-29T13:00:00Z"), a(2, "new", "2026-11-29T12:00:00Z"), a(3, "new", "2026-11-29T11:00:00Z")];
    const calls = mockList(alerts, {
      act_on_alerts: (args) => ({ done: (args.ids as number[]).map((id) => ({ ...a(id, "allowed", "2026-11-29T11:00:00Z") })), failed: [] }),
    });
    const view = await inboxView();
    document.body.append(view);
    await settle();
    const links = [...view.querySelectorAll<HTMLAnchorElement>("a.alert-link")];
    const key = (k: string) => (document.activeElement as HTMLElement).dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true }));
    links[0].focus();
    key("j");
    expect(document.activeElement).toBe(links[1]);
    expect(links[1].closest("li")?.classList.contains("focused")).toBe(true);
    key("ArrowDown");
    expect(document.activeElement).toBe(links[2]);
    key("ArrowDown");
    expect(document.activeElement).toBe(links[2]); // stays on the last row
    key("k");
    key("ArrowUp");
    expect(document.activeElement).toBe(links[0]);
    const allow = view.querySelector<HTMLButtonElement>("button.batch-allow")!;
    expect(allow.disabled).toBe(true);
    expect(key(" ")).toBe(false); // space is taken (no page scroll)
    key("j");
    key(" ");
    expect(view.querySelectorAll("li.selected").length).toBe(2);
    expect(allow.textContent).toBe("Mark 2 as not an impostor");
    expect(view.querySelector<HTMLButtonElement>("button.batch-report")?.textContent).toBe("Report 2");
    key("o");
    expect(location.hash).toBe("#/alerts/2");
    allow.click();
    await settle();
    expect(calls.find((c) => c.cmd === "act_on_alerts")?.args).toEqual({ ids: [1, 2], action: "not_impostor" });
    expect(view.querySelector(".status")?.textContent).toContain("2 marked as not an impostor");
  });

  it("waits the undo window the settings give before filing a batch", async () => {
    const alerts = [a(1, "new", "2026-11-29T13:00:00Z")];
    const later = new Date(Date.now() + 20_000).toISOString();
    const batch = { id: 8, send_after: later, queued: 1, sending: 0, sent: 0, failed: 0, cancelled: 0, skipped: 0, uncertain: 0, notes: [] };
    const calls = mockList(alerts, {
      app_info: () => ({ version: "0.1.0", demo: true, has_identity: true, open_alerts: { impostors: 1, worth_a_look: 0 }, report_undo_secs: 20 }),
      queue_reports: () => batch,
      report_batch: () => batch,
    });
    const view = await inboxView();
    document.body.append(view);
    await settle();
    for (const tick of view.querySelectorAll<HTMLInputElement>("input[type=checkbox]")) tick.click();
    view.querySelector<HTMLButtonElement>("button.batch-report")!.click();
    expect(view.querySelector(".confirm")?.textContent).toContain("sent 20 seconds from now");
    view.querySelector<HTMLButtonElement>("button.batch-confirm")!.click();
    await settle();
    expect(calls.find((c) => c.cmd === "queue_reports")?.args).toEqual({ ids: [1], undoSecs: 20 });
  });

  it("files the ticked alerts as one batch after asking, shows the undo window and undoes it", async () => {
    const alerts = [a(1, "new", "2026-11-29T13:00:00Z"), a(2, "new", "2026-11-29T12:00:00Z")];
    const later = new Date(Date.now() + 180_000).toISOString();
    const batch = { id: 7, send_after: later, queued: 2, sending: 0, sent: 0, failed: 0, cancelled: 0, skipped: 0, uncertain: 0, notes: ["alert 9 left out: X has no report API: use its form (https://help.x.com/)"] };
    const calls = mockList(alerts, {
      queue_reports: () => batch,
      undo_report_batch: () => ({ ...batch, queued: 0, cancelled: 2, notes: [] }),
      report_batch: () => batch,
    });
    const view = await inboxView();
    document.body.append(view);
    await settle();
    for (const tick of view.querySelectorAll<HTMLInputElement>("input[type=checkbox]")) tick.click();
    const report = view.querySelector<HTMLButtonElement>("button.batch-report")!;
    expect(report.textContent).toBe("Report 2");
    report.click();
    // Nothing is queued before the person confirms.
    expect(calls.some((c) => c.cmd === "queue_reports")).toBe(false);
    const confirm = view.querySelector<HTMLButtonElement>("button.batch-confirm")!;
    expect(confirm.textContent).toBe("File 2 reports");
    confirm.click();
    await settle();
    expect(calls.find((c) => c.cmd === "queue_reports")?.args).toEqual({ ids: [1, 2], undoSecs: 180 });
    const status = view.querySelector(".status")!.textContent ?? "";
    expect(status).toMatch(/2 reports will be sent at .*; undo before then\./);
    expect(view.querySelector(".batch-notes")?.textContent).toContain("alert 9 left out");
    const undo = view.querySelector<HTMLButtonElement>("button.batch-undo")!;
    expect(undo.hidden).toBe(false);
    undo.click();
    await settle();
    expect(calls.find((c) => c.cmd === "undo_report_batch")?.args).toEqual({ id: 7 });
    expect(view.querySelector(".status")?.textContent).toBe("Reports: 0 sent, 2 undone.");
    expect(undo.hidden).toBe(true);
  });
});
