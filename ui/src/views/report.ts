// Report view: the editable draft, copy, the official form, filing through the API after
// confirmation, the evidence bundle, and the case status.

import { api, errorMessage } from "../api";
import { button, field, h, replace } from "../dom";
import { platformLabel } from "./dashboard";

/** Copies text without the async Clipboard API (not granted to custom schemes in WebKitGTK). */
export function copyText(text: string): boolean {
  const area = h("textarea", { attrs: { readonly: true, "aria-hidden": "true" } });
  area.value = text;
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

export async function reportView(alertId: number): Promise<HTMLElement> {
  const section = h("section", { class: "report-view", attrs: { "aria-labelledby": "report-title" } });
  try {
    let report = await api.getReport(alertId);
    const status = h("p", { class: "status", attrs: { role: "status", "aria-live": "polite" } });
    const caseStatus = h("p", { class: "case-status", id: "case-status" }, report.case_status);
    const draft = h("textarea", { id: "draft", attrs: { rows: "14", spellcheck: "true" } });
    draft.value = report.draft;
    const draftField = field(`Report to ${platformLabel(report.platform)}`, draft, "Edit it as you like; it is saved as you type.");
    let timer: ReturnType<typeof setTimeout> | undefined;
    draft.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => void api.saveReportDraft(alertId, draft.value).catch((e) => (status.textContent = errorMessage(e))), 400);
    });
    const run = async (what: () => Promise<unknown>, done: (r: unknown) => string) => {
      try {
        status.textContent = done(await what());
      } catch (e) {
        status.textContent = errorMessage(e);
      }
    };
    const confirmBox = h("div", { class: "confirm", attrs: { hidden: true, role: "group", "aria-labelledby": "confirm-q" } });
    const fileButton = button(`File through ${platformLabel(report.platform)}…`, () => {
      replace(
        confirmBox,
        h("p", { id: "confirm-q" }, `Send this report to ${platformLabel(report.platform)} now, from your account?`),
        button("Yes, file the report", async () => {
          confirmBox.hidden = true;
          await run(
            async () => {
              await api.saveReportDraft(alertId, draft.value);
              report = await api.fileReport(alertId);
              caseStatus.textContent = report.case_status;
            },
            () => "Report filed.",
          );
        }, "primary", { id: "confirm-file" }),
        button("Cancel", () => {
          confirmBox.hidden = true;
          fileButton.focus();
        }),
      );
      confirmBox.hidden = false;
      (confirmBox.querySelector("button") as HTMLButtonElement).focus();
    }, "", { id: "file-report" });
    section.append(
      h("h2", { id: "report-title" }, "Report to ", platformLabel(report.platform)),
      h("p", null, h("a", { attrs: { href: `#/alerts/${alertId}` } }, "Back to the alert")),
      h("h3", null, "Case status"),
      caseStatus,
      draftField.wrap,
      h(
        "div",
        { class: "actions" },
        button("Copy", () => (status.textContent = copyText(draft.value) ? "Copied." : "Could not copy; select the text and copy it."), "", { id: "copy" }),
        report.form_url
          ? button("Open the official form", () => void run(async () => {
              await api.saveReportDraft(alertId, draft.value);
              await api.openReportForm(alertId);
            }, () => "The form is open in your browser; paste the draft there."), "", { id: "open-form" })
          : null,
        report.can_file ? fileButton : null,
        button("Export evidence", () => void run(() => api.exportEvidence(alertId), (r) => `Evidence saved in ${(r as { path: string }).path}`), "", { id: "export" }),
      ),
      confirmBox,
      status,
    );
  } catch (e) {
    section.append(h("h2", { id: "report-title" }, "Report"), h("p", { class: "error", attrs: { role: "alert" } }, errorMessage(e)));
  }
  return section;
}
