// Onboarding: who you are. Handles are checked as they are typed, and the look-alike handles an
// impostor could register are shown under each. One handle can fill the rest from that profile
// (name, bio, picture) and suggest the other accounts it links, each added when confirmed.

import { api, errorMessage, type Platform } from "../api";
import { go, identityRegistered } from "../app";
import { button, field, h, replace, setFieldError } from "../dom";
import type { HandleInput } from "../bindings/HandleInput";
import type { SuggestedHandle } from "../bindings/SuggestedHandle";

// The platforms onboarding asks about, with an example handle each: every registered platform
// (generated from the core's registry).
import { PLATFORMS } from "../bindings/platforms";

interface HandleRow {
  platform: Platform;
  input: HTMLInputElement;
  valid: boolean;
}

export async function onboardingView(): Promise<HTMLElement> {
  const existing = await api.getIdentity().catch(() => null);
  const status = h("p", { class: "status", attrs: { role: "status", "aria-live": "polite" } });

  const name = h("input", { id: "name", attrs: { type: "text", required: true, autocomplete: "name" } });
  name.value = existing?.name ?? "";
  const nameField = field("Your name as people see it", name, "The display name you use on your accounts.");

  const aliases = h("input", { id: "aliases", attrs: { type: "text" } });
  aliases.value = existing?.aliases.join(", ") ?? "";
  const aliasesField = field("Other names you go by (optional)", aliases, "Separate names with commas.");

  const bio = h("textarea", { id: "bio", attrs: { rows: "3" } });
  bio.value = existing?.bio ?? "";
  const bioField = field("Your bio (optional)", bio, "Helps spot accounts that copy it.");

  const rows: HandleRow[] = [];
  const handleFields = PLATFORMS.map((p) => {
    const input = h("input", {
      id: `handle-${p.id}`,
      attrs: { type: "text", autocomplete: "off", spellcheck: "false", placeholder: p.example },
    });
    input.value = existing?.handles.find((x) => x.platform === p.id)?.handle ?? "";
    const f = field(`Your ${p.label} handle`, input, `For example ${p.example}. Leave empty if you are not on ${p.label}.`);
    const lookalikes = h("div", { class: "lookalikes", attrs: { "aria-live": "polite" } });
    const row: HandleRow = { platform: p.id, input, valid: true };
    rows.push(row);
    let seq = 0;
    const check = async () => {
      const mine = ++seq;
      const value = input.value;
      if (!value.trim()) {
        row.valid = true;
        setFieldError(input, f.message, null, `For example ${p.example}. Leave empty if you are not on ${p.label}.`);
        replace(lookalikes);
        return;
      }
      const result = await api.checkHandle(p.id, value).catch((e) => ({ canonical: null, error: errorMessage(e) }));
      if (mine !== seq) return; // a newer keystroke already answered
      row.valid = !result.error;
      setFieldError(input, f.message, result.error, result.canonical ? `Looks right: ${result.canonical}` : "");
      if (!result.canonical) {
        replace(lookalikes);
        return;
      }
      const variants = await api.handleVariants(p.id, result.canonical).catch(() => []);
      if (mine !== seq) return;
      replace(
        lookalikes,
        variants.length === 0
          ? null
          : h(
              "details",
              null,
              h("summary", null, `${variants.length} look-alike handles an impostor could take`),
              h(
                "ul",
                { class: "variants" },
                ...variants.map((v) => h("li", null, h("code", null, v.handle), ` (${v.kind.replace(/_/g, " ")})`)),
              ),
            ),
      );
    };
    input.addEventListener("input", () => void check());
    if (input.value) void check();
    return h("div", { class: "handle-row" }, f.wrap, lookalikes);
  });

  const avatarPreview = h("img", {
    class: "avatar",
    attrs: { alt: "Your avatar", hidden: !existing?.avatar },
  });
  if (existing?.avatar) avatarPreview.src = existing.avatar;
  const avatarInput = h("input", { id: "avatar", attrs: { type: "file", accept: "image/png,image/jpeg,image/gif,image/webp,image/bmp" } });
  const avatarField = field("Your profile picture (optional)", avatarInput, "Used to spot accounts that reuse your photo.");
  avatarInput.addEventListener("change", async () => {
    const file = avatarInput.files?.[0];
    if (!file) return;
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      avatarPreview.src = await api.setAvatar(bytes);
      avatarPreview.hidden = false;
      setFieldError(avatarInput, avatarField.message, null, "Picture saved.");
    } catch (e) {
      setFieldError(avatarInput, avatarField.message, errorMessage(e));
    }
  });

  // Or take it from one of the person's own profiles: the first handle typed, in the registry's
  // order, platforms whose reads are paid (X) last.
  const fromProfile = button("Take it from my profile", () => void takeFromProfile(), "", { id: "avatar-from-profile" });
  const profileRow = (): HandleRow | undefined => {
    const paid = (r: HandleRow) => PLATFORMS.find((p) => p.id === r.platform)?.paid_reads ?? false;
    const typed = rows.filter((r) => r.valid && r.input.value.trim());
    return typed.find((r) => !paid(r)) ?? typed[0];
  };
  const takeFromProfile = async () => {
    const row = profileRow();
    if (!row) {
      setFieldError(avatarInput, avatarField.message, "Type one of your handles above first, then take the picture from that profile.");
      return;
    }
    const label = PLATFORMS.find((p) => p.id === row.platform)?.label ?? row.platform;
    fromProfile.disabled = true;
    setFieldError(avatarInput, avatarField.message, null, `Fetching the picture of your ${label} profile…`);
    try {
      avatarPreview.src = await api.fetchOwnAvatar(row.platform, row.input.value);
      avatarPreview.hidden = false;
      avatarInput.value = ""; // the picked file (if any) is no longer the picture
      setFieldError(avatarInput, avatarField.message, null, `Picture taken from your ${label} profile and saved.`);
    } catch (e) {
      setFieldError(avatarInput, avatarField.message, errorMessage(e));
    } finally {
      fromProfile.disabled = false;
    }
  };

  // Or fill the whole form from one of the person's own profiles (issue 12): name, bio and
  // picture, and the other handles that profile links, each added only when confirmed.
  const suggestions = h("div", { class: "suggested", attrs: { "aria-live": "polite" } });
  const fillStatus = h("p", { class: "hint", id: "fill-status", attrs: { "aria-live": "polite" } });
  const fill = button("Fill in from my profile", () => void fillFromProfile(), "", { id: "fill-from-profile", "aria-describedby": "fill-status" });
  const fillFromProfile = async () => {
    const row = profileRow();
    if (!row) {
      fillStatus.textContent = "Type one of your handles above first, then fill the rest from that profile.";
      return;
    }
    const label = PLATFORMS.find((p) => p.id === row.platform)?.label ?? row.platform;
    fill.disabled = true;
    fillStatus.textContent = `Reading your ${label} profile…`;
    try {
      const own = await api.profileForOnboarding(row.platform, row.input.value);
      const filled: string[] = [];
      if (own.name && !name.value.trim()) {
        name.value = own.name;
        filled.push("name");
      }
      if (own.bio && !bio.value.trim()) {
        bio.value = own.bio;
        filled.push("bio");
      }
      if (own.avatar) {
        avatarPreview.src = own.avatar;
        avatarPreview.hidden = false;
        avatarInput.value = "";
        filled.push("picture");
      }
      fillStatus.textContent =
        (filled.length ? `Filled your ${filled.join(", ")} from your ${label} profile.` : `Nothing new to fill from your ${label} profile.`) +
        (own.avatar_problem ? ` ${own.avatar_problem}` : "");
      showSuggestions(own.suggestions);
    } catch (e) {
      fillStatus.textContent = errorMessage(e);
    } finally {
      fill.disabled = false;
    }
  };
  const showSuggestions = (list: SuggestedHandle[]) => {
    const usable = list.filter((s) => rows.some((r) => r.platform === s.platform));
    replace(
      suggestions,
      usable.length === 0
        ? null
        : h(
            "div",
            null,
            h("p", { id: "suggestions-label" }, "Your profile links these accounts. Add the ones that are yours:"),
            h(
              "ul",
              { class: "suggestions", attrs: { "aria-labelledby": "suggestions-label" } },
              ...usable.map((s) => {
                const label = PLATFORMS.find((p) => p.id === s.platform)?.label ?? s.platform;
                const add = button(`Add ${s.handle} on ${label}`, () => {
                  const row = rows.find((r) => r.platform === s.platform);
                  if (!row) return;
                  row.input.value = s.handle;
                  row.input.dispatchEvent(new Event("input", { bubbles: true }));
                  add.disabled = true;
                  add.textContent = `Added ${s.handle} on ${label}`;
                }, "", { "data-suggestion": `${s.platform}:${s.handle}` });
                return h("li", null, add, h("span", { class: "hint" }, `from ${s.found_in}${s.verified ? " (verified link)" : ""}`));
              }),
            ),
          ),
    );
  };

  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (!name.value.trim()) {
      setFieldError(name, nameField.message, "Type your name: it is what impostors copy first.");
      name.focus();
      return;
    }
    const bad = rows.find((r) => !r.valid);
    if (bad) {
      bad.input.focus();
      return;
    }
    const handles: HandleInput[] = rows
      .filter((r) => r.input.value.trim())
      .map((r) => ({ platform: r.platform, handle: r.input.value }));
    try {
      await api.saveIdentity({
        name: name.value,
        aliases: aliases.value.split(",").map((a) => a.trim()).filter(Boolean),
        handles,
        bio: bio.value.trim() ? bio.value : null,
      });
      identityRegistered();
      go("#/dashboard");
    } catch (e) {
      status.textContent = errorMessage(e);
      status.classList.add("error");
    }
  };

  return h(
    "section",
    { class: "onboarding", attrs: { "aria-labelledby": "onboarding-title" } },
    h("h2", { id: "onboarding-title" }, existing ? "Who you are" : "Tell Doppelwatch who you are"),
    h("p", null, "Doppelwatch looks for accounts that copy you. Everything stays on this computer."),
    h(
      "form",
      { attrs: { novalidate: true }, on: { submit: (e) => void submit(e) } },
      nameField.wrap,
      aliasesField.wrap,
      h("fieldset", null, h("legend", null, "Your real accounts"), ...handleFields, fill, fillStatus, suggestions),
      h("fieldset", null, h("legend", null, "Picture and bio"), avatarField.wrap, fromProfile, avatarPreview, bioField.wrap),
      status,
      h("button", { class: "primary", id: "save-identity", attrs: { type: "submit" } }, existing ? "Save" : "Start watching"),
    ),
    existing ? button("Cancel", () => go("#/dashboard")) : null,
  );
}
