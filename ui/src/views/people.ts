// People: everyone Doppelwatch watches, with their picture and open alerts; add one, edit one,
// change their picture, remove one. The form has onboarding's fields; every rule is the core's
// (handles are checked as typed through check_handle, the whole person when saved): nothing is
// validated here. Removing a person with alerts says how many go with them and asks first.

import { api, errorMessage } from "../api";
import { button, field, h, replace, setFieldError } from "../dom";
import type { IdentityInput } from "../bindings/IdentityInput";
import type { PersonView } from "../bindings/PersonView";
import { PLATFORMS } from "../bindings/platforms";
import { picture } from "./inbox";

/** The add/edit form, filled with `person` when editing; `saved` runs after a save. */
function personForm(person: PersonView | null, saved: (message: string) => void, cancel: () => void): HTMLElement {
  const prefix = person ? `person-${person.id}` : "person-new";
  const status = h("p", { class: "status", attrs: { role: "status", "aria-live": "polite" } });
  const name = h("input", { id: `${prefix}-name`, attrs: { type: "text", required: true, autocomplete: "off" } });
  name.value = person?.name ?? "";
  const nameField = field("Name as people see it", name, "The display name they use on their accounts.");
  const aliases = h("input", { id: `${prefix}-aliases`, attrs: { type: "text" } });
  aliases.value = person?.aliases.join(", ") ?? "";
  const aliasesField = field("Other names (optional)", aliases, "Separate names with commas.");
  const bio = h("textarea", { id: `${prefix}-bio`, attrs: { rows: "2" } });
  bio.value = person?.bio ?? "";
  const bioField = field("Bio (optional)", bio, "Helps spot accounts that copy it.");
  const handles = PLATFORMS.map((p) => {
    const input = h("input", { id: `${prefix}-handle-${p.id}`, attrs: { type: "text", autocomplete: "off", spellcheck: "false", placeholder: p.example } });
    input.value = person?.handles.find((x) => x.platform === p.id)?.handle ?? "";
    const hint = `For example ${p.example}. Leave empty if they are not on ${p.label}.`;
    const f = field(`${p.label} handle`, input, hint);
    let seq = 0;
    input.addEventListener("input", () => {
      const mine = ++seq;
      if (!input.value.trim()) {
        setFieldError(input, f.message, null, hint);
        return;
      }
      void api
        .checkHandle(p.id, input.value)
        .catch((e) => ({ canonical: null, error: errorMessage(e) }))
        .then((r) => {
          if (mine === seq) setFieldError(input, f.message, r.error, r.canonical ? `Looks right: ${r.canonical}` : "");
        });
    });
    return { platform: p.id, input, wrap: f.wrap };
  });
  const typed = (): IdentityInput => ({
    name: name.value,
    aliases: aliases.value.split(","),
    handles: handles.map((x) => ({ platform: x.platform, handle: x.input.value })),
    bio: bio.value,
  });
  const save = button(person ? "Save changes" : "Add person", () => void submit(), "primary");
  const submit = async () => {
    save.disabled = true;
    status.textContent = "Saving…";
    try {
      const view = person ? await api.updatePerson(person.id, typed()) : await api.addPerson(typed());
      saved(person ? `${view.name} saved.` : `${view.name} added: watching their accounts now.`);
    } catch (e) {
      // The core's message names the field ("field name: ...", "handle ...").
      status.textContent = errorMessage(e);
      status.classList.add("error");
      save.disabled = false;
    }
  };
  return h(
    "form",
    { class: "person-form", attrs: { "aria-label": person ? `Edit ${person.name}` : "Add a person", novalidate: true }, on: { submit: (e) => { e.preventDefault(); void submit(); } } },
    nameField.wrap,
    aliasesField.wrap,
    ...handles.map((x) => x.wrap),
    bioField.wrap,
    h("div", { class: "actions" }, save, button("Cancel", cancel)),
    status,
  );
}

/** "2 open alerts (5 in all)". */
export function alertCounts(p: PersonView): string {
  const open = p.open_alerts === 1 ? "1 open alert" : `${p.open_alerts} open alerts`;
  return p.total_alerts === p.open_alerts ? open : `${open} (${p.total_alerts} in all)`;
}

function personCard(p: PersonView, refresh: (message: string) => void): HTMLElement {
  const slot = h("div", { class: "person-extra" });
  const status = h("p", { class: "status", attrs: { role: "status", "aria-live": "polite" } });
  const file = h("input", { id: `person-${p.id}-picture`, attrs: { type: "file", accept: "image/*", class: "visually-hidden" } });
  file.addEventListener("change", async () => {
    const picked = file.files?.[0];
    if (!picked) return;
    status.textContent = "Keeping the picture…";
    try {
      await api.setPersonAvatar(p.id, new Uint8Array(await picked.arrayBuffer()));
      refresh(`New picture for ${p.name}.`);
    } catch (e) {
      status.textContent = errorMessage(e);
    }
  });
  const askRemove = () => {
    const withAlerts = p.total_alerts > 0;
    const question = withAlerts
      ? `Remove ${p.name} and their ${p.total_alerts === 1 ? "alert" : `${p.total_alerts} alerts`} (${p.open_alerts} open), with their reports? This cannot be undone.`
      : `Remove ${p.name}? Doppelwatch stops watching their accounts.`;
    replace(
      slot,
      h(
        "div",
        { class: "confirm", attrs: { role: "alertdialog", "aria-label": `Remove ${p.name}` } },
        h("p", null, question),
        button(withAlerts ? `Remove with ${p.total_alerts === 1 ? "1 alert" : `${p.total_alerts} alerts`}` : "Remove", () => void remove(withAlerts), "danger confirm-remove"),
        button("Keep", () => replace(slot)),
      ),
    );
    slot.querySelector<HTMLButtonElement>("button")?.focus();
  };
  const remove = async (withAlerts: boolean) => {
    try {
      await api.removePerson(p.id, withAlerts);
      refresh(`${p.name} removed.`);
    } catch (e) {
      status.textContent = errorMessage(e);
    }
  };
  return h(
    "li",
    { class: "person", attrs: { "data-person-id": String(p.id) } },
    picture(p.avatar, `Picture of ${p.name}`, "avatar"),
    h(
      "div",
      { class: "person-main" },
      h("h3", null, p.name),
      h("p", { class: "handles" }, p.handles.map((x) => `${PLATFORMS.find((q) => q.id === x.platform)?.label ?? x.platform}: @${x.handle}`).join(" · ")),
      h("p", { class: "counts" }, h("a", { attrs: { href: `#/alerts?person=${p.id}` } }, alertCounts(p))),
      h(
        "div",
        { class: "actions" },
        button("Edit", () => replace(slot, personForm(p, refresh, () => replace(slot))), "edit"),
        // The field (visually hidden) before its label, which shows the focus when it has it.
        file,
        h("label", { class: "button", attrs: { for: file.id } }, "Change picture"),
        button("Remove", askRemove, "remove"),
      ),
      status,
      slot,
    ),
  );
}

export async function peopleView(): Promise<HTMLElement> {
  const page = h("section", { class: "people-view", attrs: { "aria-labelledby": "people-title" } }, h("h2", { id: "people-title" }, "People"));
  const status = h("p", { class: "status", attrs: { role: "status", "aria-live": "polite" } });
  const list = h("ul", { class: "people" });
  const adding = h("div", { class: "add-person" });
  const load = async (message = "") => {
    status.textContent = message;
    replace(adding, button("Add a person", () => replace(adding, personForm(null, load, () => void load())), "primary add"));
    try {
      const people = await api.listPeople();
      replace(list, ...(people.length === 0 ? [h("li", { class: "empty" }, "Nobody is watched yet: add a person.")] : people.map((p) => personCard(p, (m) => void load(m)))));
    } catch (e) {
      replace(list, h("li", { class: "error", attrs: { role: "alert" } }, errorMessage(e)));
    }
  };
  page.append(
    h("p", { class: "hint" }, "Everyone Doppelwatch watches, on every platform that is on. Alerts, reports and notifications say which person they are about."),
    status,
    list,
    adding,
  );
  await load();
  return page;
}
