// Reports in progress on the dashboard: a window opened after the one that queued a batch
// (closed, or the watcher restarted mid-batch) shows where it stands, can undo what is not sent,
// and sends interrupted reports again only when the person says they checked.
import { beforeEach, describe, expect, it } from "vitest";
import { mockCommands, settle } from "../test-helpers";
import { batchesSection, batchWords } from "./batches";
import type { ReportBatchView } from "../bindings/ReportBatchView";

const batch = (over: Partial<ReportBatchView>): ReportBatchView => ({
  id: 7, send_after: "2026-12-07T06:00:00Z", queued: 0, sending: 0, sent: 0, failed: 0, cancelled: 0, skipped: 0, uncertain: 0, notes: [], ...over,
});

describe("reports in progress", () => {
  beforeEach(() => document.body.replaceChildren());

  it("says nothing when no batch is open", async () => {
    mockCommands({ open_report_batches: () => [] });
    expect(await batchesSection()).toBeNull();
  });

  it("shows an interrupted batch and sends its interrupted report again only when asked", async () => {
    let open = [batch({ sent: 94, uncertain: 1 })];
    const calls = mockCommands({
      open_report_batches: () => open,
      retry_report_batch: () => {
        open = [batch({ sent: 94, queued: 1 })];
        return open[0];
      },
      undo_report_batch: () => {
        open = [];
        return batch({ sent: 94, cancelled: 1 });
      },
    });
    const section = (await batchesSection())!;
    document.body.append(section);
    expect(section.querySelector("h3")?.textContent).toBe("Reports in progress");
    expect(section.querySelector(".batch-progress")?.textContent).toBe("Batch 7: Reports: 94 sent, 1 interrupted (check on the platform before sending again).");
    expect(section.querySelector(".hint")?.textContent).toContain("may have arrived");
    expect(section.querySelector("button.batches-undo")).toBeNull();
    expect(calls.some((c) => c.cmd === "retry_report_batch")).toBe(false);
    const retry = section.querySelector<HTMLButtonElement>("button.batches-retry")!;
    expect(retry.textContent).toBe("I checked: send the interrupted report again");
    retry.click();
    await settle();
    expect(calls.filter((c) => c.cmd === "retry_report_batch")).toEqual([{ cmd: "retry_report_batch", args: { id: 7 } }]);
    expect(section.querySelector(".batch-progress")?.textContent).toBe("Batch 7: Reports: 94 sent, 1 waiting.");
    expect(section.querySelector("button.batches-retry")).toBeNull();
    // What is not sent yet can still be undone.
    section.querySelector<HTMLButtonElement>("button.batches-undo")!.click();
    await settle();
    expect(calls.find((c) => c.cmd === "undo_report_batch")?.args).toEqual({ id: 7 });
    expect(section.querySelector(".batches-status")?.textContent).toBe(batchWords(batch({ sent: 94, cancelled: 1 })));
    expect(section.querySelector(".open-batches")?.textContent).toBe("Every report of these batches is sent or undone.");
  });
});
