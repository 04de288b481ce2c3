import { beforeEach, describe, expect, it } from "vitest";
import { mockCommands, settle, type } from "../test-helpers";
import { onboardingView } from "./onboarding";
import { PLATFORMS } from "../bindings/platforms";

describe("onboarding", () => {
  beforeEach(() => document.body.replaceChildren());

  it("checks handles as typed and shows look-alikes", async () => {
    mockCommands({
      get_identity: () => null,
      check_handle: (a) =>
        a.handle === "bad handle"
          ? { canonical: null, error: "X handle \"bad handle\" is not valid" }
          : { canonical: String(a.handle).replace(/^@/, ""), error: null },
      handle_variants: () => [{ handle: "PaImerReport", kind: "homoglyph" }],
    });
    const view = await onboardingView();
    document.body.append(view);
    const x = view.querySelector<HTMLInputElement>("#handle-x")!;
    type(x, "bad handle");
    await settle();
    expect(x.getAttribute("aria-invalid")).toBe("true");
    expect(document.getElementById(x.getAttribute("aria-describedby")!)?.textContent).toContain("is not valid");
    type(x, "@PalmerReport");
    await settle();
    expect(x.hasAttribute("aria-invalid")).toBe(false);
    expect(view.textContent).toContain("Looks right: PalmerReport");
    expect(view.querySelector(".variants")?.textContent).toContain("PaImerReport (homoglyph)");
  });

  it("asks for a handle on every registered platform, with its example", async () => {
    mockCommands({ get_identity: () => null });
    const view = await onboardingView();
    document.body.append(view);
    expect(PLATFORMS.length).toBeGreaterThan(0);
    for (const p of PLATFORMS) {
      const input = view.querySelector<HTMLInputElement>(`#handle-${p.id}`);
      expect(input, p.id).not.toBeNull();
      expect(view.textContent).toContain(`Your ${p.label} handle`);
      expect(view.textContent).toContain(`For example ${p.example}.`);
    }
    expect(view.querySelectorAll("input[id^='handle-']").length).toBe(PLATFORMS.length);
  });

  it("saves the identity as typed and refuses an empty name", async () => {
    const calls = mockCommands({
      get_identity: () => null,
      check_handle: (a) => ({ canonical: a.handle, error: null }),
      handle_variants: () => [],
      save_identity: (a) => ({ ...(a.input as object), avatar: null }),
    });
    const view = await onboardingView();
    document.body.append(view);
    const form = view.querySelector("form")!;
    form.dispatchEvent(new Event("submit", { cancelable: true }));
    await settle();
    expect(calls.some((c) => c.cmd === "save_identity")).toBe(false);
    expect(view.querySelector("#name")?.getAttribute("aria-invalid")).toBe("true");

    type(view.querySelector<HTMLInputElement>("#name")!, "Palmer Report");
    type(view.querySelector<HTMLInputElement>("#aliases")!, "Palmer, , PR");
    type(view.querySelector<HTMLInputElement>("#handle-bluesky")!, "palmerreport.bsky.social");
    await settle();
    form.dispatchEvent(new Event("submit", { cancelable: true }));
    await settle();
    const save = calls.find((c) => c.cmd === "save_identity");
    expect(save?.args.input).toEqual({
      name: "Palmer Report",
      aliases: ["Palmer", "PR"],
      handles: [{ platform: "bluesky", handle: "palmerreport.bsky.social" }],
      bio: null,
    });
    expect(location.hash).toBe("#/dashboard");
  });

  it("takes the picture from the first own profile typed, and says why when it cannot", async () => {
    const calls = mockCommands({
      get_identity: () => null,
      check_handle: (a) => ({ canonical: a.handle, error: null }),
      handle_variants: () => [],
      fetch_own_avatar: (a) =>
        a.platform === "mastodon"
          ? Promise.reject({ kind: "unavailable", message: "your mastodon profile alice@mastodon.social has no picture: choose a file instead" })
          : "data:image/png;base64,AAAA",
    });
    const view = await onboardingView();
    document.body.append(view);
    const take = view.querySelector<HTMLButtonElement>("#avatar-from-profile")!;
    const avatar = view.querySelector<HTMLInputElement>("#avatar")!;
    take.click();
    await settle();
    expect(calls.some((c) => c.cmd === "fetch_own_avatar")).toBe(false);
    expect(document.getElementById(avatar.getAttribute("aria-describedby")!)?.textContent).toContain("Type one of your handles");

    type(view.querySelector<HTMLInputElement>("#handle-mastodon")!, "alice@mastodon.social");
    await settle();
    take.click();
    await settle();
    expect(document.getElementById(avatar.getAttribute("aria-describedby")!)?.textContent).toContain("has no picture");

    type(view.querySelector<HTMLInputElement>("#handle-bluesky")!, "palmerreport.bsky.social");
    await settle();
    take.click();
    await settle();
    const fetch = calls.filter((c) => c.cmd === "fetch_own_avatar").pop();
    expect(fetch?.args).toMatchObject({ platform: "bluesky", handle: "palmerreport.bsky.social" });
    expect(view.querySelector<HTMLImageElement>("img.avatar")?.src).toBe("data:image/png;base64,AAAA");
    expect(view.querySelector<HTMLImageElement>("img.avatar")?.hidden).toBe(false);
    expect(document.getElementById(avatar.getAttribute("aria-describedby")!)?.textContent).toContain("taken from your Bluesky profile");
  });

  it("fills name, bio and picture from one handle's profile and adds a linked handle only when confirmed", async () => {
    const calls = mockCommands({
      get_identity: () => null,
      check_handle: (a) => ({ canonical: String(a.handle).replace(/^@/, ""), error: null }),
      handle_variants: () => [],
      profile_for_onboarding: () => ({
        platform: "bluesky",
        handle: "palmerreport.bsky.social",
        name: "Palmer Report",
        bio: "Independent political news and analysis.",
        avatar: "data:image/png;base64,iVBORw0KGgo=",
        avatar_problem: null,
        suggestions: [
          { platform: "mastodon", handle: "palmerreport@mastodon.social", found_in: "a link in your Bluesky profile", verified: false },
          { platform: "x", handle: "PalmerReport", found_in: "a link in your Bluesky profile", verified: false },
        ],
      }),
    });
    const view = await onboardingView();
    document.body.append(view);
    type(view.querySelector<HTMLInputElement>("#handle-bluesky")!, "palmerreport.bsky.social");
    await settle();
    view.querySelector<HTMLButtonElement>("#fill-from-profile")!.click();
    await settle();
    expect(calls.find((c) => c.cmd === "profile_for_onboarding")?.args).toEqual({ platform: "bluesky", handle: "palmerreport.bsky.social" });
    expect(view.querySelector<HTMLInputElement>("#name")!.value).toBe("Palmer Report");
    expect(view.querySelector<HTMLTextAreaElement>("#bio")!.value).toBe("Independent political news and analysis.");
    expect(view.querySelector<HTMLImageElement>("img.avatar")!.hidden).toBe(false);
    expect(view.querySelector("#fill-status")?.textContent).toBe("Filled your name, bio, picture from your Bluesky profile.");
    // Suggested, not added: the X field stays empty until confirmed.
    const x = view.querySelector<HTMLInputElement>("#handle-x")!;
    expect(x.value).toBe("");
    const add = view.querySelector<HTMLButtonElement>('[data-suggestion="x:PalmerReport"]')!;
    expect(add.textContent).toBe("Add PalmerReport on X");
    add.click();
    await settle();
    expect(x.value).toBe("PalmerReport");
    expect(add.disabled).toBe(true);
    expect(calls.some((c) => c.cmd === "check_handle" && c.args.handle === "PalmerReport")).toBe(true);
    expect(view.querySelector<HTMLInputElement>("#handle-mastodon")!.value).toBe("");
  });
});
