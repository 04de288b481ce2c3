// Reporting many accounts whose platform takes reports only through its official web form (X,
// YouTube): one account at a time, its draft (in the person's voice, editable, saved as typed)
// copied and the form opened with ONE action, then the next account comes up while the person
// fills the form in the browser. Which ones are done is the store's: opening the form records
// the report (the case is then followed), so coming back later resumes where it stopped.
// Accounts whose platform files through its API are left for the batch ("Report N").

import { api, errorMessage } from "../api";
import { button, h, replace } from "../dom";
import type { ReportView } from "../bindings/ReportView";
import type { AlertSummary } from "../bindings/AlertSummary";
import { platformLabel } from "./dashboard";
import { copyText } from "./report";

/** One account of the walk: its summary and its report. */
type Step = { alert: AlertSummary; report: ReportView; done: boolean };

/** Whether an alert's report has gone out already (its state says reported or closed). */
function reported(a: AlertSummary): boolean {
  return !["new", "seen", "snoozed"].includes(a.state);
}

/** Loads the steps of `ids`, a few at a time; the ones without a form, with why. */
async function loadSteps(ids: number[]): Promise<{ steps: Step[]; skipped: string[] }> {
  const steps: Step[] = [];
  const skipped: string[] = [];
  for (let i = 0; i < ids.length; i += 8) {
    const loaded = await Promise.all(
      ids.slice(i, i + 8).map(async (id) => {
        try {
          const [detail, report] = await Promise.all([api.getAlert(id), api.getReport(id)]);
          return { id, detail, report };
        } catch (e) {
          return { id, error: errorMessage(e) };
        }
      }),
    );
    for (const l of loaded) {
      if ("error" in l) skipped.push(`Alert ${l.id}: ${l.error}`);
      else if (!l.report.form_url) skipped.push(`@${l.detail.summary.handle} on ${platformLabel(l.report.platform)} has no web form: report it with "Report N" (through the API) instead.`);
      else steps.push({ alert: l.detail.summary, report: l.report, done: reported(l.detail.summary) });
    }
  }
  return { steps, skipped };
}

export async function formsView(ids: number[]): Promise<HTMLElement> {
  const page = h("section", { class: "forms-view", attrs: { "aria-labelledby": "forms-title" } });
  const heading = h("h2", { id: "forms-title" }, "Report through the official forms");
  page.append(heading);
  const { steps, skipped } = await loadSteps(ids);
  if (steps.length === 0) {
    page.append(h("p", { class: "hint" }, "None of these accounts is reported through a web form."), ...skipped.map((s) => h("p", { class: "hint" }, s)));
    return page;
  }
  const progress = h("p", { id: "forms-progress", attrs: { role: "status", "aria-live": "polite" } });
  const list = h("ol", { class: "forms-list" });
  const current = h("div", { class: "forms-current", attrs: { role: "group", "aria-labelledby": "forms-step" } });
  const status = h("p", { class: "status", attrs: { role: "status", "aria-live": "polite" } });
  let at = Math.max(0, steps.findIndex((s) => !s.done));

  const showList = () => {
    const done = steps.filter((s) => s.done).length;
    replace(progress, `${done} of ${steps.length} reported through the form${done === steps.length ? ". All done." : "."}`);
    replace(
      list,
      ...steps.map((s, i) =>
        h(
          "li",
          { class: `${s.done ? "done" : "pending"}${i === at ? " current" : ""}`, attrs: { "data-alert-id": String(s.alert.id) } },
          h("a", { attrs: { href: `#/alerts/${s.alert.id}` } }, `@${s.alert.handle}`),
          ` on ${platformLabel(s.report.platform)}: `,
          h("span", { class: "step-state" }, s.done ? "form opened, report recorded" : "to do"),
        ),
      ),
    );
  };

  const showStep = () => {
    showList();
    const step = steps[at];
    if (!step) {
      replace(
        current,
        h("p", { id: "forms-step", attrs: { tabindex: "-1" } }, "Every form has been opened. The accounts are followed until they are gone."),
        h("div", { class: "actions" }, button("Back", () => move(-1), "", { id: "forms-back" }), h("a", { attrs: { href: "#/alerts" } }, "Back to the alerts")),
      );
      return;
    }
    const draft = h("textarea", { id: "forms-draft", attrs: { rows: "10", spellcheck: "true", "aria-describedby": "forms-hint" } });
    draft.value = step.report.draft;
    let timer: ReturnType<typeof setTimeout> | undefined;
    draft.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => void api.saveReportDraft(step.alert.id, draft.value).catch((e) => (status.textContent = errorMessage(e))), 400);
    });
    const label = platformLabel(step.report.platform);
    const openForm = button(step.done ? `Copy and open ${label}'s form again` : `Copy the report and open ${label}'s form`, () => void open(step, draft.value), "primary", { id: "forms-open" });
    replace(
      current,
      h("h3", { id: "forms-step", attrs: { tabindex: "-1" } }, `${at + 1} of ${steps.length}: @${step.alert.handle} on ${label}`),
      h("label", { attrs: { for: "forms-draft" } }, `Report to ${label}, in your words`),
      draft,
      h("p", { id: "forms-hint", class: "hint" }, "The report is copied as you open the form: paste it there, send it, then come back for the next one."),
      h(
        "div",
        { class: "actions" },
        openForm,
        button("Skip for now", () => move(1), "", { id: "forms-skip" }),
        button("Back", () => move(-1), "", { id: "forms-back", disabled: at === 0 }),
      ),
    );
  };

  const move = (by: number) => {
    at = Math.min(Math.max(at + by, 0), steps.length);
    status.textContent = "";
    showStep();
    current.querySelector<HTMLElement>("#forms-open, #forms-step")?.focus();
  };

  const open = async (step: Step, text: string) => {
    const copied = copyText(text);
    try {
      await api.saveReportDraft(step.alert.id, text);
      await api.openReportForm(step.alert.id);
      step.done = true;
      status.textContent = `${copied ? "Report copied; " : "Copy the report by hand (the clipboard refused); "}${platformLabel(step.report.platform)}'s form for @${step.alert.handle} is open in your browser.`;
      const next = steps.findIndex((s, i) => i > at && !s.done);
      at = next < 0 ? steps.length : next;
      showStep();
      current.querySelector<HTMLElement>("#forms-open")?.focus();
    } catch (e) {
      status.textContent = errorMessage(e);
    }
  };

  page.append(
    h("p", { class: "hint" }, `${steps.length} ${steps.length === 1 ? "account is" : "accounts are"} reported through a web form, one at a time: one click copies the report and opens the form.`),
    progress,
    current,
    status,
    list,
    ...skipped.map((s) => h("p", { class: "hint skipped" }, s)),
  );
  showStep();
  return page;
}
