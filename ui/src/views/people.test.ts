import { beforeEach, describe, expect, it } from "vitest";
import { mockCommands, settle, type } from "../test-helpers";
import { peopleView } from "./people";
import type { PersonView } from "../bindings/PersonView";

const person = (id: number, name: string, open: number, total: number, avatar: string | null = null): PersonView => ({
  id, name, aliases: [], handles: [{ platform: "bluesky", handle: `${name.split(" ")[0].toLowerCase()}.bsky.social` }], bio: null, avatar, open_alerts: open, total_alerts: total,
});

describe("people", () => {
  beforeEach(() => document.body.replaceChildren());

  it("lists every person with their picture and open alerts", async () => {
    mockCommands({ list_people: () => [person(1, "Palmer Report", 3, 5, "data:image/png;base64,UEFMTUVS"), person(2, "Jane Doe", 1, 1)] });
    const view = await peopleView();
    const cards = [...view.querySelectorAll<HTMLElement>("li.person")];
    expect(cards.map((c) => c.querySelector("h3")?.textContent)).toEqual(["Palmer Report", "Jane Doe"]);
    expect(cards[0].querySelector<HTMLImageElement>("img.avatar")?.src).toBe("data:image/png;base64,UEFMTUVS");
    expect(cards[1].querySelector("img")).toBeNull();
    expect(cards[1].querySelector(".avatar.none")?.getAttribute("aria-label")).toBe("Picture of Jane Doe: none");
    expect(cards[0].querySelector(".counts")?.textContent).toBe("3 open alerts (5 in all)");
    expect(cards[1].querySelector(".counts")?.textContent).toBe("1 open alert");
    expect(cards[1].querySelector(".counts a")?.getAttribute("href")).toBe("#/alerts?person=2");
    expect(cards[0].querySelector(".handles")?.textContent).toBe("Bluesky: @palmer.bsky.social");
    // The picture field (visually hidden) comes right before its label, which shows its focus.
    const file = cards[0].querySelector<HTMLInputElement>('input[type="file"]')!;
    expect(file.nextElementSibling?.matches(`label[for="${file.id}"]`)).toBe(true);
  });

  it("adds a person through the core, showing the core's refusal as is", async () => {
    let people = [person(1, "Palmer Report", 0, 0)];
    let refuse = true;
    const calls = mockCommands({
      list_people: () => people,
      check_handle: (args) => (args.handle === "bad handle" ? { canonical: null, error: "handle: spaces are not allowed" } : { canonical: args.handle, error: null }),
      add_person: (args) => {
        if (refuse) throw { kind: "invalid", message: "field name: the name is empty" };
        const input = args.input as { name: string };
        const added = person(2, input.name, 0, 0);
        people = [...people, added];
        return added;
      },
    });
    const view = await peopleView();
    document.body.append(view);
    view.querySelector<HTMLButtonElement>("button.add")!.click();
    const form = view.querySelector<HTMLFormElement>("form.person-form")!;
    const handle = form.querySelector<HTMLInputElement>("#person-new-handle-bluesky")!;
    type(handle, "bad handle");
    await settle();
    // The handle's rule is the core's, shown as typed.
    expect(handle.getAttribute("aria-invalid")).toBe("true");
    expect(form.textContent).toContain("spaces are not allowed");
    form.querySelector<HTMLButtonElement>("button.primary")!.click();
    await settle();
    expect(form.querySelector(".status")?.textContent).toBe("field name: the name is empty");

    refuse = false;
    type(form.querySelector<HTMLInputElement>("#person-new-name")!, "Jane Doe");
    type(form.querySelector<HTMLInputElement>("#person-new-aliases")!, "JD, Jane");
    type(handle, "janedoe.bsky.social");
    form.querySelector<HTMLButtonElement>("button.primary")!.click();
    await settle();
    const sent = calls.filter((c) => c.cmd === "add_person").pop()!.args.input as { name: string; aliases: string[]; handles: { platform: string; handle: string }[] };
    expect(sent.name).toBe("Jane Doe");
    expect(sent.aliases).toEqual(["JD", " Jane"]); // as typed: the core drops blanks and trims
    expect(sent.handles).toContainEqual({ platform: "bluesky", handle: "janedoe.bsky.social" });
    expect([...view.querySelectorAll("li.person h3")].map((h) => h.textContent)).toEqual(["Palmer Report", "Jane Doe"]);
    expect(view.querySelector(".status")?.textContent).toContain("Jane Doe added");
  });

  it("edits a person in place, keeping their id", async () => {
    const calls = mockCommands({
      list_people: () => [person(2, "Jane Doe", 0, 0)],
      update_person: (args) => person(args.id as number, (args.input as { name: string }).name, 0, 0),
    });
    const view = await peopleView();
    view.querySelector<HTMLButtonElement>("li.person button.edit")!.click();
    const name = view.querySelector<HTMLInputElement>("#person-2-name")!;
    expect(name.value).toBe("Jane Doe");
    expect(view.querySelector<HTMLInputElement>("#person-2-handle-bluesky")?.value).toBe("jane.bsky.social");
    type(name, "Jane Q. Doe");
    view.querySelector<HTMLButtonElement>("form.person-form button.primary")!.click();
    await settle();
    const update = calls.find((c) => c.cmd === "update_person")!;
    expect(update.args.id).toBe(2);
    expect((update.args.input as { name: string }).name).toBe("Jane Q. Doe");
  });

  it("asks before removing a person with alerts, saying how many go with them", async () => {
    let people = [person(1, "Palmer Report", 2, 7), person(2, "Jane Doe", 0, 0)];
    const calls = mockCommands({
      list_people: () => people,
      remove_person: (args) => {
        people = people.filter((p) => p.id !== args.id);
        return null;
      },
    });
    const view = await peopleView();
    document.body.append(view);
    const palmer = view.querySelector<HTMLElement>('li.person[data-person-id="1"]')!;
    palmer.querySelector<HTMLButtonElement>("button.remove")!.click();
    const confirm = palmer.querySelector(".confirm")!;
    expect(confirm.textContent).toContain("Remove Palmer Report and their 7 alerts (2 open)");
    expect(calls.some((c) => c.cmd === "remove_person")).toBe(false);
    // "Keep" changes nothing.
    [...confirm.querySelectorAll("button")].find((b) => b.textContent === "Keep")!.click();
    expect(palmer.querySelector(".confirm")).toBeNull();
    palmer.querySelector<HTMLButtonElement>("button.remove")!.click();
    palmer.querySelector<HTMLButtonElement>("button.confirm-remove")!.click();
    await settle();
    expect(calls.find((c) => c.cmd === "remove_person")?.args).toEqual({ id: 1, withAlerts: true });
    expect([...view.querySelectorAll("li.person h3")].map((h) => h.textContent)).toEqual(["Jane Doe"]);

    // Without alerts there is nothing to take along.
    view.querySelector<HTMLButtonElement>('li.person[data-person-id="2"] button.remove')!.click();
    view.querySelector<HTMLButtonElement>('li.person[data-person-id="2"] button.confirm-remove')!.click();
    await settle();
    expect(calls.filter((c) => c.cmd === "remove_person").pop()?.args).toEqual({ id: 2, withAlerts: false });
  });
});
