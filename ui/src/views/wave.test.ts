import { beforeEach, describe, expect, it } from "vitest";
import { mockCommands, settle } from "../test-helpers";
import { TILE_PAGE, waveView, waveTitle } from "./wave";
import type { AlertRow } from "../bindings/AlertRow";
import type { WaveView } from "../bindings/WaveView";

const row = (id: number, platform = "bluesky", state: AlertRow["state"] = "new"): AlertRow => ({
  id, platform, handle: `jane-doe${id}.bsky.social`, display_name: "Jane Doe", verdict: "impostor", score: 0.9, state,
  first_seen: "2026-11-29T12:00:00Z", snoozed_until: null, person_id: 2, person_name: "Jane Doe", wave_id: 4,
  handle_marks: [...`jane-doe${id}.bsky.social`].map((ch) => ({ ch, note: ch === "-" ? "inserted separator" : null })), age: "2 days old", followers: 3,
});

function wave(alerts: AlertRow[]): WaveView {
  return {
    id: 4, person_id: 2, person_name: "Jane Doe", verdict: "impostor", count: alerts.length,
    open: alerts.filter((a) => ["new", "seen", "reported"].includes(a.state)).length,
    platforms: [...new Set(alerts.map((a) => a.platform))], started_at: "2026-11-29T12:00:00Z", last_alert_at: "2026-11-29T12:05:00Z", alerts,
  };
}

describe("wave", () => {
  beforeEach(() => document.body.replaceChildren());

  it("shows the wave's accounts as a grid with pictures, marked handles, platform and age", async () => {
    const alerts = [row(1), row(2, "x"), row(3, "mastodon")];
    const calls = mockCommands({ get_wave: () => wave(alerts), alert_pictures: () => [{ id: 2, avatar: "data:image/png;base64,WA==" }] });
    const view = await waveView(4);
    document.body.append(view);
    await settle();
    expect(calls[0]).toEqual({ cmd: "get_wave", args: { id: 4 } });
    expect(view.querySelector("h2")?.textContent).toBe("3 accounts imitating Jane Doe on Bluesky, X and Mastodon");
    const tiles = [...view.querySelectorAll<HTMLElement>(".wave-grid .tile")];
    expect(tiles.length).toBe(3);
    expect(tiles[1].querySelector<HTMLImageElement>("img.account-face")?.src).toBe("data:image/png;base64,WA==");
    expect(tiles[0].querySelector(".account-face.none")).not.toBeNull();
    expect(tiles[0].querySelector("a.tile-link")?.getAttribute("href")).toBe("#/alerts/1");
    expect(tiles[0].querySelector("mark")?.textContent).toBe("-");
    expect(tiles[1].querySelector(".platform")?.textContent).toBe("X");
    expect(tiles[0].querySelector(".age")?.textContent).toBe("2 days old");
    expect(waveTitle(wave([row(1)]))).toBe("1 account imitating Jane Doe on Bluesky");
  });

  it("ticks one, all in the wave, and marks the ticked ones as not impostors at once", async () => {
    let alerts = [row(1), row(2), row(3)];
    const calls = mockCommands({
      get_wave: () => wave(alerts),
      alert_pictures: () => [],
      act_on_alerts: (args) => {
        const ids = args.ids as number[];
        alerts = alerts.map((a) => (ids.includes(a.id) ? { ...a, state: "allowed" } : a));
        return { done: alerts.filter((a) => ids.includes(a.id)), failed: [] };
      },
    });
    const view = await waveView(4);
    document.body.append(view);
    await settle();
    const allow = view.querySelector<HTMLButtonElement>("button.batch-allow")!;
    const all = view.querySelector<HTMLInputElement>("#wave-select-all")!;
    expect(allow.disabled).toBe(true);
    expect(allow.textContent).toBe("Mark 0 as not an impostor");
    // Reporting needs a selection too.
    const report = view.querySelector<HTMLButtonElement>("button.batch-report")!;
    expect(report.disabled).toBe(true);
    expect(report.textContent).toBe("Report 0");

    // Space on a focused tile ticks it.
    const first = view.querySelector<HTMLAnchorElement>("a.tile-link")!;
    first.focus();
    first.dispatchEvent(new KeyboardEvent("keydown", { key: " ", bubbles: true, cancelable: true }));
    expect(allow.textContent).toBe("Mark 1 as not an impostor");
    expect(all.indeterminate).toBe(true);
    first.dispatchEvent(new KeyboardEvent("keydown", { key: "j", bubbles: true, cancelable: true }));
    expect(document.activeElement?.getAttribute("href")).toBe("#/alerts/2");

    all.click();
    expect(all.checked).toBe(true);
    expect([...view.querySelectorAll<HTMLInputElement>(".tile input.select")].every((t) => t.checked)).toBe(true);
    expect(allow.textContent).toBe("Mark 3 as not an impostor");
    all.click();
    expect(allow.textContent).toBe("Mark 0 as not an impostor");
    all.click();
    view.querySelector<HTMLInputElement>('.tile[data-alert-id="3"] input.select')!.click();
    expect(all.checked).toBe(false);
    expect(allow.textContent).toBe("Mark 2 as not an impostor");
    allow.click();
    await settle();
    expect(calls.find((c) => c.cmd === "act_on_alerts")?.args).toEqual({ ids: [1, 2], action: "not_impostor" });
    expect(view.querySelector(".status")?.textContent).toContain("2 marked as not an impostor");
    // The grid shows the wave as it is now.
    expect(view.querySelector('.tile[data-alert-id="1"] .state')?.textContent).toBe("allowed");
    expect(view.querySelector('.tile[data-alert-id="3"] .state')?.textContent).toBe("new");
    expect(view.querySelector(".hint")?.textContent).toContain("1 waiting for you ·");
    expect(view.querySelector(".hint")?.textContent).not.toContain("reported");
  });

  it("says when the wave is not there", async () => {
    mockCommands({ get_wave: () => { throw { kind: "not_found", message: "no wave 9" }; } });
    const view = await waveView(9);
    expect(view.querySelector('[role="alert"]')?.textContent).toBe("no wave 9");
  });

  it("exports one evidence bundle of the whole wave and says where, or why not", async () => {
    let fail = false;
    const calls = mockCommands({
      get_wave: () => wave([row(1), row(2)]),
      alert_pictures: () => [],
      export_wave_evidence: () => {
        if (fail) throw { kind: "io", message: "cannot create /nowhere: permission denied" };
        return { path: "/home/jane/Downloads/doppelwatch-evidence-wave-4.zip", files: ["wave.json"] };
      },
    });
    const view = await waveView(4);
    document.body.append(view);
    await settle();
    const button = view.querySelector<HTMLButtonElement>("#wave-export")!;
    button.click();
    await settle();
    expect(calls.filter((c) => c.cmd === "export_wave_evidence")).toEqual([{ cmd: "export_wave_evidence", args: { waveId: 4 } }]);
    const status = view.querySelector(".wave-export [role=status]")!;
    expect(status.textContent).toBe("Evidence of 2 accounts saved in /home/jane/Downloads/doppelwatch-evidence-wave-4.zip");
    expect(button.disabled).toBe(false);
    fail = true;
    button.click();
    await settle();
    expect(status.textContent).toContain("permission denied");
  });

  it("reports the open accounts the APIs take with one action, then asks", async () => {
    const alerts = [row(1), row(2, "x"), row(3, "mastodon", "allowed"), row(4, "mastodon"), row(5, "bluesky", "seen"), row(6, "bluesky", "reported")];
    mockCommands({ get_wave: () => wave(alerts), alert_pictures: () => [], app_info: () => ({ report_undo_secs: 180 }) });
    const view = await waveView(4);
    document.body.append(view);
    await settle();
    expect(view.querySelector(".hint")?.textContent).toContain("4 waiting for you · 1 reported, followed until the account is gone ·");
    const button = view.querySelector<HTMLButtonElement>("#wave-report-open")!;
    expect(button.textContent).toBe("Report the 3 open ones through the APIs…");
    button.click();
    await settle();
    const ticked = [...view.querySelectorAll<HTMLInputElement>(".tile input.select")].filter((t) => t.checked).map((t) => t.closest<HTMLElement>(".tile")!.dataset.alertId);
    expect(ticked).toEqual(["1", "4", "5"]);
    expect(view.querySelector<HTMLElement>(".batch .confirm")!.hidden).toBe(false);
    expect(view.querySelector(".batch .confirm")!.textContent).toContain("File 3 reports");
    expect(document.activeElement?.classList.contains("batch-confirm")).toBe(true);
  });

  it("shows a wave of thousands a page of tiles at a time; ticking all still takes the whole wave", async () => {
    const alerts = Array.from({ length: TILE_PAGE + 7 }, (_, i) => row(i + 1));
    const calls = mockCommands({ get_wave: () => wave(alerts), alert_pictures: (args) => (args.ids as number[]).map((id) => ({ id, avatar: null })) });
    const view = await waveView(4);
    document.body.append(view);
    await settle();
    const tiles = () => view.querySelectorAll<HTMLElement>(".wave-grid li.tile");
    expect(tiles().length).toBe(TILE_PAGE);
    const more = view.querySelector<HTMLButtonElement>(".wave-grid li.more button.show-more")!;
    expect(more.textContent).toBe("Show 7 more (7 not shown)");
    view.querySelector<HTMLInputElement>("#wave-select-all")!.click();
    expect(view.querySelector("button.batch-allow")?.textContent).toBe(`Mark ${TILE_PAGE + 7} as not an impostor`);
    // The keyboard past the last tile shown brings the next page, ticked as the wave is.
    const last = [...view.querySelectorAll<HTMLAnchorElement>("a.tile-link")].at(-1)!;
    last.focus();
    last.dispatchEvent(new KeyboardEvent("keydown", { key: "j", bubbles: true, cancelable: true }));
    await settle();
    expect(tiles().length).toBe(TILE_PAGE + 7);
    expect(document.activeElement?.getAttribute("href")).toBe(`#/alerts/${TILE_PAGE + 1}`);
    expect([...view.querySelectorAll<HTMLInputElement>(".tile input.select")].every((t) => t.checked)).toBe(true);
    expect(view.querySelector(".wave-grid li.more")).toBeNull();
    await settle();
    // Each tile's picture is asked for once, page by page, at most 100 at a time.
    const asked = calls.filter((c) => c.cmd === "alert_pictures").flatMap((c) => c.args.ids as number[]);
    expect(asked.length).toBe(TILE_PAGE + 7);
    expect(new Set(asked).size).toBe(TILE_PAGE + 7);
  });
});
