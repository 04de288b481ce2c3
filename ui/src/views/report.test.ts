import { beforeEach, describe, expect, it } from "vitest";
import { mockCommands, settle } from "../test-helpers";
import { reportView } from "./report";
import type { ReportView } from "../bindings/ReportView";

const report = (status = "not reported yet"): ReportView => ({
  alert_id: 7, platform: "bluesky", draft: "Impersonation of @palmerreport.bsky.social by https://bsky.app/profile/x", form_url: "https://example.invalid/form", can_file: true, case_status: status,
});

describe("report view", () => {
  beforeEach(() => document.body.replaceChildren());

  it("files only after confirmation and shows the new case status", async () => {
    const calls = mockCommands({ get_report: () => report(), save_report_draft: () => report(), file_report: () => report("filed, case #42") });
    const view = await reportView(7);
    document.body.append(view);
    expect(view.querySelector<HTMLTextAreaElement>("#draft")?.value).toContain("https://bsky.app/profile/x");
    view.querySelector<HTMLButtonElement>("#file-report")!.click();
    await settle();
    expect(calls.some((c) => c.cmd === "file_report")).toBe(false);
    expect(view.querySelector<HTMLElement>(".confirm")?.hidden).toBe(false);
    view.querySelector<HTMLButtonElement>("#confirm-file")!.click();
    await settle();
    expect(calls.filter((c) => c.cmd === "file_report").length).toBe(1);
    expect(view.querySelector("#case-status")?.textContent).toBe("filed, case #42");
  });
});
