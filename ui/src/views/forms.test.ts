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

  it("the batch bar reports through the APIs only the ticked accounts an API takes, and keeps the rest for their forms", async () => {
    const later = new Date(Date.now() + 180_000).toISOString();
    const batch = { id: 3, send_after: later, queued: 1, sending: 0, sent: 0, failed: 0, cancelled: 0, skipped: 0, uncertain: 0, notes: [] };
    const calls = mockCommands({ app_info: () => ({ report_undo_secs: 180 }), queue_reports: () => batch, report_batch: () => batch });
    const selected = new Set<number>([1, 3, 4]);
    const platforms: Record<number, string> = { 1: "x", 3: "bluesky", 4: "youtube" };
    const { bar, update } = batchBar(selected, () => undefined, (id) => platforms[id]);
    document.body.append(bar);
    update();
    const report = bar.querySelector<HTMLButtonElement>("button.batch-report")!;
    expect(report.textContent).toBe("Report 1");
    report.click();
    const confirm = bar.querySelector(".confirm")!;
    expect(confirm.textContent).toContain("File 1 report through");
    expect(confirm.textContent).toContain("The 2 ticked accounts on platforms without a report API (X, YouTube) stay ticked for their forms.");
    bar.querySelector<HTMLButtonElement>("button.batch-confirm")!.click();
    await settle();
    expect(calls.find((c) => c.cmd === "queue_reports")?.args).toEqual({ ids: [3], undoSecs: 180 });
    // The form-only ones are still ticked, ready for the walk-through; nothing is left for an API.
    expect([...selected]).toEqual([1, 4]);
    expect(report.textContent).toBe("Report 0");
    expect(report.disabled).toBe(true);
    expect(bar.querySelector<HTMLButtonElement>("button.batch-forms")!.textContent).toBe("Report 2 through their forms…");
  });
});
