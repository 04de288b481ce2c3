import { beforeEach, describe, expect, it } from "vitest";
import { mockCommands, settle } from "../test-helpers";
import { alertView } from "./alert";
import type { AlertDetail } from "../bindings/AlertDetail";

const HOSTILE_NAME = `<img src=x onerror="window.__pwned=1">Palmer Report`;
const HOSTILE_BIO = `<script>window.__pwned=2</script>Official account\n<a href="javascript:alert(1)">link</a>`;

function detail(): AlertDetail {
  return {
    summary: { id: 7, platform: "bluesky", handle: "paimerreport.bsky.social", display_name: HOSTILE_NAME, verdict: "impostor", score: 0.93, state: "new", first_seen: "2026-11-29T12:00:00Z" },
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
  };
}

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
});
