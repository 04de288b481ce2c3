import { beforeEach, describe, expect, it } from "vitest";
import { mockCommands, settle } from "../test-helpers";
import { alertView } from "./alert";
import { when } from "./inbox";
import type { AlertDetail } from "../bindings/AlertDetail";
import type { AlertSummary } from "../bindings/AlertSummary";

const HOSTILE_NAME = `<img src=x onerror="window.__pwned=1">Palmer Report`;
const HOSTILE_BIO = `<script>window.__pwned=2</script>Official account\n<a href="javascript:alert(1)">link</a>`;

function detail(): AlertDetail {
  return {
    summary: { id: 7, platform: "bluesky", handle: "paimerreport.bsky.social", display_name: HOSTILE_NAME, verdict: "impostor", score: 0.93, state: "new", first_seen: "2026-11-29T12:00:00Z", snoozed_until: null },
    candidate: {
      platform: "bluesky",
      handle: "pa\u0406merreport.bsky.social",
      handle_marks: [...["p", "a"].map((ch) => ({ ch, note: null })), { ch: "\u0406", note: 'U+0406 CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I, looks like "l"' }],
      display_name: HOSTILE_NAME,
      bio: HOSTILE_BIO,
      created_at: "2026-11-28T12:00:00Z",
      age: "1 day old",
      followers: 3,
      url: "https://bsky.app/profile/paimerreport.bsky.social",
      avatar: null,
    },
    person: {
      platform: "bluesky", handle: "palmerreport.bsky.social", handle_marks: [{ ch: "p", note: null }], display_name: "Palmer Report",
      bio: null, created_at: null, age: null, followers: null, url: null, avatar: "data:image/png;base64,iVBORw0KGgo=",
    },
    reasons: [{ signal: "confusable_handle", detail: "handle looks like yours: I in place of l" }],
    found_by: "the live stream",
    posts: [
      {
        text: HOSTILE_POST,
        url: "https://bsky.app/profile/paimerreport.bsky.social/post/3kabc",
        links: ["javascript:alert(3)"],
        created_at: "2026-11-29T11:00:00Z",
        fetched_at: "2026-11-29T12:00:00Z",
        flags: ["hashtags the person never uses in their recent posts: #walkaway"],
        sha256: "ab".repeat(32),
      },
    ],
  };
}

const HOSTILE_POST = `<a href="javascript:window.__pwned=3">Read this</a><script>window.__pwned=4</script> #WalkAway`;

describe("alert view", () => {
  beforeEach(() => {
    (window as unknown as Record<string, unknown>).__pwned = undefined;
    document.body.replaceChildren();
  });

  it("shows hostile names and bios as inert text", async () => {
    const calls = mockCommands({ get_alert: () => detail(), act_on_alert: () => detail().summary });
    const view = await alertView(7);
    document.body.append(view);
    await settle();
    // The markup is visible as text...
    expect(view.textContent).toContain(HOSTILE_NAME);
    expect(view.textContent).toContain("<script>window.__pwned=2</script>");
    // ...and none of it became elements or ran.
    expect(view.querySelector("script")).toBeNull();
    expect(view.querySelector('img[src="x"]')).toBeNull();
    expect(view.querySelector('a[href^="javascript"]')).toBeNull();
    expect((window as unknown as Record<string, unknown>).__pwned).toBeUndefined();
    // Opening a new alert marks it seen.
    expect(calls.some((c) => c.cmd === "act_on_alert" && c.args.action === "seen")).toBe(true);
  });

  it("shows the impostor's posts as inert text with their links visible", async () => {
    mockCommands({ get_alert: () => detail(), act_on_alert: () => detail().summary });
    const view = await alertView(7);
    document.body.append(view);
    await settle();
    const post = view.querySelector(".posts .post");
    expect(post?.querySelector(".post-text")?.textContent).toBe(HOSTILE_POST);
    expect(post?.textContent).toContain("javascript:alert(3)");
    expect(post?.textContent).toContain("https://bsky.app/profile/paimerreport.bsky.social/post/3kabc");
    expect(post?.querySelector(".post-flags")?.textContent).toContain("#walkaway");
    // No markup from the post became an element, and nothing ran.
    expect(view.querySelector(".posts a, .posts script")).toBeNull();
    expect(view.querySelector('a[href^="javascript"]')).toBeNull();
    expect((window as unknown as Record<string, unknown>).__pwned).toBeUndefined();
  });

  it("says so when no posts could be read", async () => {
    mockCommands({ get_alert: () => ({ ...detail(), posts: [] }), act_on_alert: () => detail().summary });
    const view = await alertView(7);
    expect(view.querySelector(".posts")).toBeNull();
    expect(view.querySelector(".posts-none")?.textContent).toContain("No posts");
  });

  it("highlights look-alike characters and names their code points", async () => {
    mockCommands({ get_alert: () => detail(), act_on_alert: () => detail().summary });
    const view = await alertView(7);
    const marks = view.querySelectorAll(".candidate .handle-marked mark");
    expect(marks.length).toBe(1);
    expect(marks[0].textContent).toBe("\u0406");
    expect(view.querySelector(".candidate .char-notes")?.textContent).toContain("U+0406");
    expect(view.querySelector(".reasons")?.textContent).toContain("I in place of l");
    expect(view.querySelector(".person img.avatar")?.getAttribute("src")).toMatch(/^data:image\/png;base64,/);
  });

  it("shows a command error's message", async () => {
    mockCommands({ get_alert: () => { throw { kind: "not_found", message: "alert 7 does not exist" }; } });
    const view = await alertView(7);
    expect(view.querySelector('[role="alert"]')?.textContent).toBe("alert 7 does not exist");
  });

  it("offers snooze lengths as a labelled group of buttons and confirms until when", async () => {
    const until = "2026-12-06T12:00:00Z";
    const snoozed: AlertSummary = { ...detail().summary, state: "snoozed", snoozed_until: until };
    const calls = mockCommands({
      get_alert: () => detail(),
      act_on_alert: (args) => (args.action === "seen" ? { ...detail().summary, state: "seen" } : snoozed),
      app_info: () => ({ version: "0.1.0", demo: false, has_identity: true, open_alerts: { impostors: 0, worth_a_look: 0 } }),
    });
    const view = await alertView(7);
    document.body.append(view);
    // The old single button is gone.
    const labels = [...view.querySelectorAll("button")].map((b) => b.textContent);
    expect(labels).not.toContain("Snooze until it changes");
    // One group, named by its visible label, of real buttons (reached with Tab, pressed with
    // Enter or Space).
    const group = view.querySelector<HTMLElement>('[role="group"]')!;
    expect(group).not.toBeNull();
    const labelId = group.getAttribute("aria-labelledby")!;
    expect(document.getElementById(labelId)?.textContent).toBe("Snooze for");
    const choices = [...group.querySelectorAll("button")];
    expect(choices.map((b) => b.textContent)).toEqual(["1 day", "1 week", "30 days"]);
    expect(choices.map((b) => b.getAttribute("aria-label"))).toEqual(["Snooze for 1 day", "Snooze for 1 week", "Snooze for 30 days"]);
    for (const b of choices) {
      expect(b.getAttribute("type")).toBe("button");
      expect(b.disabled).toBe(false);
      expect(b.getAttribute("tabindex")).toBeNull();
    }
    choices[1].focus();
    expect(document.activeElement).toBe(choices[1]);

    choices[1].click();
    await settle();
    const act = calls.filter((c) => c.cmd === "act_on_alert" && c.args.action !== "seen");
    expect(act).toEqual([{ cmd: "act_on_alert", args: { id: 7, action: { snooze: "one_week" } } }]);
    // The live region says until when, and that a change brings it back sooner.
    const status = view.querySelector('[role="status"]')!;
    expect(status.getAttribute("aria-live")).toBe("polite");
    expect(status.textContent).toBe(`Snoozed until ${when(until)}. It comes back sooner if the account changes its name, bio or picture.`);
    expect(view.querySelector(".snoozed-until")?.textContent).toContain(`Snoozed until ${when(until)}`);
  });

  it("sends each snooze length as the command expects", async () => {
    for (const [i, length] of (["one_day", "one_week", "thirty_days"] as const).entries()) {
      const calls = mockCommands({
        get_alert: () => ({ ...detail(), summary: { ...detail().summary, state: "seen" } }),
        act_on_alert: () => ({ ...detail().summary, state: "snoozed", snoozed_until: "2026-12-29T12:00:00Z" }),
        app_info: () => ({ version: "0.1.0", demo: false, has_identity: true, open_alerts: { impostors: 0, worth_a_look: 0 } }),
      });
      const view = await alertView(7);
      view.querySelectorAll<HTMLButtonElement>('[role="group"] button')[i].click();
      await settle();
      expect(calls.filter((c) => c.cmd === "act_on_alert").map((c) => c.args.action)).toEqual([{ snooze: length }]);
    }
  });

  it("shows when an already snoozed alert comes back", async () => {
    const until = "2026-12-29T12:00:00Z";
    const calls = mockCommands({ get_alert: () => ({ ...detail(), summary: { ...detail().summary, state: "snoozed", snoozed_until: until } }) });
    const view = await alertView(7);
    expect(view.querySelector(".snoozed-until")?.textContent).toContain(`Snoozed until ${when(until)}`);
    // Opening a snoozed alert does not mark it seen (that would end the snooze).
    expect(calls.some((c) => c.cmd === "act_on_alert")).toBe(false);
  });

  it("offers no snooze for a reported or closed case", async () => {
    for (const state of ["reported", "resolved", "dismissed", "allowed"] as const) {
      mockCommands({ get_alert: () => ({ ...detail(), summary: { ...detail().summary, state } }) });
      const view = await alertView(7);
      expect(view.querySelector('[role="group"]'), state).toBeNull();
      expect(view.querySelector("#report"), state).not.toBeNull();
    }
  });

  it("says why a snooze was refused", async () => {
    // E.g. the case was reported from another window meanwhile.
    mockCommands({
      get_alert: () => ({ ...detail(), summary: { ...detail().summary, state: "seen" } }),
      act_on_alert: () => {
        throw { kind: "invalid", message: "alert 7 cannot go from reported to snoozed: only new or seen alerts can be snoozed" };
      },
    });
    const view = await alertView(7);
    view.querySelector<HTMLButtonElement>('[data-snooze="one_day"]')!.click();
    await settle();
    expect(view.querySelector('[role="status"]')?.textContent).toBe("alert 7 cannot go from reported to snoozed: only new or seen alerts can be snoozed");
    expect(view.querySelector(".snoozed-until")?.textContent).toBe("");
  });

  it("offers the follow-up of a report still unanswered a week later, with copy", async () => {
    const reported = { ...detail(), summary: { ...detail().summary, state: "reported" as const } };
    const calls = mockCommands({
      get_alert: () => reported,
      get_follow_up: () => ({ subject: "Follow-up: @paimerreport.bsky.social on Bluesky still impersonates me, 9 days after my report of 2026-11-27", text: "On 2026-11-27 I reported the account ...", form_url: null }),
    });
    const view = await alertView(7);
    document.body.append(view);
    expect(calls.find((c) => c.cmd === "get_follow_up")?.args).toEqual({ alertId: 7 });
    const box = view.querySelector(".follow-up")!;
    expect(box.querySelector("h3")?.textContent).toBe("Still up a week after your report");
    expect(box.querySelector<HTMLTextAreaElement>("#follow-up-text")?.value).toBe("On 2026-11-27 I reported the account ...");
    expect(box.querySelector("#copy-follow-up")).not.toBeNull();

    // Not reported: not asked, nothing shown.
    const asked = mockCommands({ get_alert: () => ({ ...detail(), summary: { ...detail().summary, state: "seen" as const } }) });
    const plain = await alertView(7);
    expect(plain.querySelector(".follow-up")).toBeNull();
    expect(asked.some((c) => c.cmd === "get_follow_up")).toBe(false);
  });
});
