// Reports in progress: the batches the background watcher is still sending, or whose sending
// was interrupted (the app was closed or the watcher killed mid-request), for a window opened
// after the one that queued them. Shown on the dashboard with Undo, and for interrupted
// reports "send again" once the person checked on the platform that they did not arrive
// (never on its own: a report is never sent twice without the person asking).

import { api, errorMessage } from "../api";
import { button, h, replace } from "../dom";
import type { ReportBatchView } from "../bindings/ReportBatchView";

/** How often the section follows batches still sending. */
const FOLLOW_MS = 2000;

/** A batch's progress in words. */
export function batchWords(b: ReportBatchView): string {
  const parts = [`${b.sent} sent`];
  if (b.queued + b.sending > 0) parts.push(`${b.queued + b.sending} waiting`);
  if (b.failed > 0) parts.push(`${b.failed} failed`);
  if (b.skipped > 0) parts.push(`${b.skipped} skipped`);
  if (b.uncertain > 0) parts.push(`${b.uncertain} interrupted (check on the platform before sending again)`);
  if (b.cancelled > 0) parts.push(`${b.cancelled} undone`);
  return `Reports: ${parts.join(", ")}.`;
}

function batchItem(b: ReportBatchView, act: (what: () => Promise<ReportBatchView>, doing: string) => void): HTMLElement {
  const waiting = b.queued + b.sending;
  const interrupted = b.uncertain;
  return h(
    "li",
    { class: "open-batch", attrs: { "data-batch-id": String(b.id) } },
    h("p", { class: "batch-progress" }, `Batch ${b.id}: ${batchWords(b)}`),
    b.queued > 0 ? button(`Undo the ${b.queued} not sent yet`, () => act(() => api.undoReportBatch(b.id), "Undoing…"), "batches-undo") : null,
    interrupted > 0
      ? button(
          `I checked: send the ${interrupted === 1 ? "interrupted report" : `${interrupted} interrupted reports`} again`,
          () => act(() => api.retryReportBatch(b.id), "Queuing them again…"),
          "batches-retry",
        )
      : null,
    interrupted > 0 && waiting === 0
      ? h("p", { class: "hint" }, "Look for the account on its platform first: a report interrupted mid-send may have arrived.")
      : null,
  );
}

/**
 * The section of reports in progress, or null when no batch is open. Follows batches while
 * they send (until the section leaves the page).
 */
export async function batchesSection(): Promise<HTMLElement | null> {
  let open: ReportBatchView[];
  try {
    open = await api.openReportBatches();
  } catch {
    return null;
  }
  if (open.length === 0) return null;
  const list = h("ul", { class: "open-batches" });
  const status = h("p", { class: "batches-status", attrs: { role: "status", "aria-live": "polite" } });
  const section = h("section", { class: "batches-section", attrs: { "aria-labelledby": "batches-title" } }, h("h3", { id: "batches-title" }, "Reports in progress"), list, status);
  let timer: ReturnType<typeof setTimeout> | null = null;
  const show = (batches: ReportBatchView[]) => {
    replace(list, ...batches.map((b) => batchItem(b, act)));
    if (batches.length === 0) list.append(h("li", null, "Every report of these batches is sent or undone."));
    if (timer) clearTimeout(timer);
    timer = batches.some((b) => b.queued + b.sending > 0) ? setTimeout(() => void refresh(), FOLLOW_MS) : null;
  };
  const refresh = async () => {
    if (timer && !section.isConnected) return;
    try {
      show(await api.openReportBatches());
    } catch (e) {
      status.textContent = errorMessage(e);
    }
  };
  const act = (what: () => Promise<ReportBatchView>, doing: string) => {
    status.textContent = doing;
    void what()
      .then((b) => {
        status.textContent = batchWords(b);
        return refresh();
      })
      .catch((e) => (status.textContent = errorMessage(e)));
  };
  show(open);
  return section;
}
