// The alert list shown a page at a time (issue 11: 10,000 alerts): the first page at once,
// "Show more" and the keyboard add the next, filters and the selection act on the whole list.
import { beforeEach, describe, expect, it } from "vitest";
import { mockCommands, settle } from "../test-helpers";
import { inboxView, PAGE, pagedList } from "./inbox";
import type { AlertRow } from "../bindings/AlertRow";

const alert = (id: number, platform = "bluesky", verdict = "impostor"): AlertRow => ({
  id, platform, handle: `h${id}.bsky.social`, display_name: null, verdict, score: 0.9, state: "new",
  first_seen: new Date(Date.UTC(2026, 10, 1) + id * 60_000).toISOString(), snoozed_until: null,
  person_id: 1, person_name: "Palmer Report", wave_id: null, handle_marks: [], age: null, followers: null,
});

/** `n` impostor alerts, the newest (highest id) listed first; every third on X. */
const many = (n: number) => Array.from({ length: n }, (_, i) => alert(i + 1, (i + 1) % 3 === 0 ? "x" : "bluesky"));

function mockList(alerts: AlertRow[]) {
  return mockCommands({ list_alerts: () => alerts, list_people: () => [], alert_pictures: () => [], act_on_alerts: (args) => ({ done: (args.ids as number[]).map((id) => alert(id)), failed: [] }) });
}

const shownIds = (root: ParentNode) => [...root.querySelectorAll("a.alert-link")].map((l) => Number(l.getAttribute("data-alert-id")));

describe("paged alert list", () => {
  beforeEach(() => {
    document.body.replaceChildren();
    history.replaceState(null, "", "#/alerts");
  });

  it("shows a page at first and the next one on Show more, asking for each page's pictures once", () => {
    const pages: number[][] = [];
    const items = Array.from({ length: PAGE * 2 + 5 }, (_, i) => i);
    const ul = pagedList(items, (i) => Object.assign(document.createElement("li"), { textContent: String(i) }), (page) => pages.push(page));
    const rows = () => ul.querySelectorAll("li:not(.more)").length;
    expect(rows()).toBe(PAGE);
    const more = () => ul.querySelector<HTMLButtonElement>("li.more button.show-more");
    expect(more()?.textContent).toBe(`Show ${PAGE} more (${PAGE + 5} not shown)`);
    more()!.click();
    expect(rows()).toBe(PAGE * 2);
    expect(more()?.textContent).toBe(`Show 5 more (5 not shown)`);
    more()!.click();
    expect(rows()).toBe(PAGE * 2 + 5);
    expect(more()).toBeNull();
    expect(ul.lastElementChild?.textContent).toBe(String(PAGE * 2 + 4));
    expect(pages.map((p) => p.length)).toEqual([PAGE, PAGE, 5]);
    expect(pages.flat()).toEqual(items);
  });

  it("keeps a short list whole, with no Show more", () => {
    const ul = pagedList([1, 2, 3], (i) => Object.assign(document.createElement("li"), { textContent: String(i) }), () => {});
    expect(ul.querySelectorAll("li").length).toBe(3);
    expect(ul.querySelector("li.more")).toBeNull();
  });

  it("puts only a page of 10,000 alerts in the page; filters act on all of them", async () => {
    const alerts = many(10_000);
    const calls = mockList(alerts);
    const view = await inboxView();
    document.body.append(view);
    await settle();
    expect(shownIds(view)).toEqual(Array.from({ length: PAGE }, (_, i) => 10_000 - i));
    expect(view.querySelector("#impostors li.more button")?.textContent).toBe(`Show ${PAGE} more (${10_000 - PAGE} not shown)`);
    // Pictures are asked for the rows shown only.
    const asked = calls.filter((c) => c.cmd === "alert_pictures").flatMap((c) => c.args.ids as number[]);
    expect(asked.sort((a, b) => a - b)).toEqual(shownIds(view).sort((a, b) => a - b));

    const platform = view.querySelector<HTMLSelectElement>("#filter-platform")!;
    platform.value = "x";
    platform.dispatchEvent(new Event("change"));
    const onX = alerts.filter((a) => a.platform === "x").map((a) => a.id).sort((a, b) => b - a);
    expect(shownIds(view)).toEqual(onX.slice(0, PAGE));
    expect(view.querySelector("#impostors li.more button")?.textContent).toBe(`Show ${PAGE} more (${onX.length - PAGE} not shown)`);
    expect(location.hash).toBe("#/alerts?platform=x");
  });

  it("moves with j past the last row shown into the next page, and acts on rows of both pages", async () => {
    const calls = mockList(many(PAGE + 3));
    const view = await inboxView();
    document.body.append(view);
    await settle();
    const key = (k: string) => (document.activeElement as HTMLElement).dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true }));
    const links = () => [...view.querySelectorAll<HTMLAnchorElement>("a.alert-link")];
    links()[PAGE - 1].focus();
    key(" "); // ticks the last row of the first page
    key("j");
    expect(links().length).toBe(PAGE + 3);
    expect(view.querySelector("li.more")).toBeNull();
    expect(document.activeElement).toBe(links()[PAGE]);
    expect(links()[PAGE].closest("li")?.classList.contains("focused")).toBe(true);
    key(" ");
    key("k");
    expect(document.activeElement).toBe(links()[PAGE - 1]);
    const allow = view.querySelector<HTMLButtonElement>("button.batch-allow")!;
    expect(allow.textContent).toBe("Mark 2 as not an impostor");
    allow.click();
    await settle();
    const ids = (PAGE + 3) - (PAGE - 1);
    expect(calls.find((c) => c.cmd === "act_on_alerts")?.args).toEqual({ ids: [ids, ids - 1], action: "not_impostor" });
  });
});
