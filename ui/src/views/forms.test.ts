import { beforeEach, describe, expect, it } from "vitest";
import { mockCommands, settle } from "../test-helpers";
import { formsView } from "./forms";
import { batchBar } from "./inbox";

const summary = (id: number, platform: string, state = "new") => ({
  id, platform, handle: `palmer${id}`, display_name: "Palmer Report", verdict: "impostor", score: 0.9, state,
  first_seen: "2026-11-29T12:00:00Z", snoozed_until: null,
});
const report = (id: number, platform: string) => ({
  alert_id: id, platform, draft: `My account is being impersonated by @palmer${id}.`,
  form_url: platform === "x" ? "https://help.x.com/forms/impersonation" : null, can_file: platform !== "x", case_status: "not reported yet",
});

describe("forms walk-through", () => {
  beforeEach(() => document.body.replaceChildren());

  it("opens each form with one click, in turn, and resumes after the ones already done", async () => {
    const platforms: Record<number, string> = { 1: "x", 2: "x", 3: "bluesky", 4: "x" };
    const states: Record<number, string> = { 1: "new", 2: "reported", 3: "new", 4: "new" };
    const calls = mockCommands({
      get_alert: (a) => ({ summary: summary(a.id as number, platforms[a.id as number], states[a.id as number]) }),
      get_report: (a) => report(a.alertId as number, platforms[a.alertId as number]),
      save_report_draft: (a) => report(a.alertId as number, "x"),
      open_report_form: (a) => {
        states[a.alertId as number] = "reported";
        return null;
      },
    });
    const view = await formsView([1, 2, 3, 4]);
    document.body.append(view);
    await settle();
    // Bluesky's account goes through the API batch, not a form: said, not walked.
    expect(view.querySelector(".skipped")?.textContent).toContain("@palmer3 on Bluesky has no web form");
    const items = () => [...view.querySelectorAll<HTMLElement>(".forms-list li")].map((li) => `${li.dataset.alertId}:${li.className}`);
    expect(items()).toEqual(["1:pending current", "2:done", "4:pending"]);
    expect(view.querySelector("#forms-progress")?.textContent).toBe("1 of 3 reported through the form.");
    expect(view.querySelector("#forms-step")?.textContent).toBe("1 of 3: @palmer1 on X");

    // One click: the (edited) draft is saved, the form opened and recorded; the next undone one comes up.
    const draft = view.querySelector<HTMLTextAreaElement>("#forms-draft")!;
    draft.value = "Edited: @palmer1 copies my name and photo.";
    view.querySelector<HTMLButtonElement>("#forms-open")!.click();
    await settle();
    expect(calls.filter((c) => c.cmd === "save_report_draft").map((c) => c.args)).toEqual([{ alertId: 1, draft: "Edited: @palmer1 copies my name and photo." }]);
    expect(calls.filter((c) => c.cmd === "open_report_form").map((c) => c.args)).toEqual([{ alertId: 1 }]);
    expect(view.querySelector("#forms-step")?.textContent).toBe("3 of 3: @palmer4 on X");
    expect(items()).toEqual(["1:done", "2:done", "4:pending current"]);
    expect(document.activeElement?.id).toBe("forms-open");

    view.querySelector<HTMLButtonElement>("#forms-open")!.click();
    await settle();
    expect(view.querySelector("#forms-progress")?.textContent).toBe("3 of 3 reported through the form. All done.");
    expect(view.querySelector("#forms-step")?.textContent).toContain("Every form has been opened");
    // Back goes to a done one, which can be opened again.
    view.querySelector<HTMLButtonElement>("#forms-back")!.click();
    expect(view.querySelector("#forms-open")?.textContent).toBe("Copy and open X's form again");
  });

  it("the batch bar offers the forms for the selected accounts on form-only platforms", () => {
    const selected = new Set<number>([1, 3, 4]);
    const platforms: Record<number, string> = { 1: "x", 3: "bluesky", 4: "youtube" };
    const { bar, update } = batchBar(selected, () => undefined, (id) => platforms[id]);
    document.body.append(bar);
    update();
    const forms = bar.querySelector<HTMLButtonElement>("button.batch-forms")!;
    expect(forms.hidden).toBe(false);
    expect(forms.textContent).toBe("Report 2 through their forms…");
    forms.click();
    expect(location.hash).toBe("#/forms/1,4");
    selected.delete(1);
    selected.delete(4);
    update();
    expect(forms.hidden).toBe(true);
  });
});
