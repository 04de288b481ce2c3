// A wave: the accounts imitating one person that arrived together, as a grid (picture, handle
// with look-alike characters marked, platform, age) with a tick box on each and "Select all in
// this wave", to act on many at once. What a wave's notification opens (`#/waves/4`).
// Keyboard as in the alert list: j/k or arrows move, space ticks, Enter or o opens.

import { api, errorMessage } from "../api";
import { button, h, replace } from "../dom";
import type { AlertRow } from "../bindings/AlertRow";
import type { WaveView } from "../bindings/WaveView";
import { PLATFORMS } from "../bindings/platforms";
import { platformLabel } from "./dashboard";
import { batchBar, handleWithMarks, keyboardNavigation, pagedList, picture, verdictLabel } from "./inbox";

/**
 * Tiles shown at first and added per "Show more": a whole wave of a few hundred at once (a
 * wave is reviewed at a glance), thousands a page at a time (the window stays light).
 */
export const TILE_PAGE = 300;

/** The words of the wave's heading: "12 accounts imitating Jane Doe on Bluesky and X". */
export function waveTitle(w: WaveView): string {
  const platforms = w.platforms.map(platformLabel);
  const on = platforms.length <= 1 ? platforms.join("") : `${platforms.slice(0, -1).join(", ")} and ${platforms[platforms.length - 1]}`;
  return `${w.count} ${w.count === 1 ? "account" : "accounts"} imitating ${w.person_name}${on ? ` on ${on}` : ""}`;
}

/** Platforms whose reports can be filed through their API, so in one batch. */
const REPORT_API = new Set<string>(PLATFORMS.filter((p) => p.report_api).map((p) => p.id));

/** The wave's accounts still waiting for the person on a platform with a report API. */
export function openReportable(alerts: AlertRow[]): AlertRow[] {
  return alerts.filter((a) => (a.state === "new" || a.state === "seen") && REPORT_API.has(a.platform));
}

function tile(a: AlertRow, selected: Set<number>): HTMLElement {
  const tick = h("input", { class: "select", attrs: { type: "checkbox", "aria-label": `Select @${a.handle}` } });
  tick.checked = selected.has(a.id);
  tick.addEventListener("change", () => {
    if (tick.checked) selected.add(a.id);
    else selected.delete(a.id);
    tick.closest(".tile")?.classList.toggle("selected", tick.checked);
    tick.dispatchEvent(new CustomEvent("selection", { bubbles: true }));
  });
  return h(
    "li",
    { class: `tile state-${a.state}${selected.has(a.id) ? " selected" : ""}`, attrs: { "data-alert-id": String(a.id) } },
    tick,
    picture(null, `Picture of @${a.handle}`, "face account-face"),
    h(
      "a",
      { class: "tile-link", attrs: { href: `#/alerts/${a.id}`, "data-alert-id": String(a.id) } },
      handleWithMarks(a),
    ),
    h("span", { class: "platform" }, platformLabel(a.platform)),
    h("span", { class: "age" }, a.age ?? "age unknown"),
    h("span", { class: `state state-${a.state}` }, a.state),
  );
}

export async function waveView(id: number): Promise<HTMLElement> {
  const page = h("section", { class: "wave-view", attrs: { "aria-labelledby": "wave-title" } });
  let wave: WaveView;
  try {
    wave = await api.getWave(id);
  } catch (e) {
    page.append(h("h2", { id: "wave-title" }, "Wave"), h("p", { class: "error", attrs: { role: "alert" } }, errorMessage(e)));
    return page;
  }
  const selected = new Set<number>();
  // Holds the paged grid of tiles (a `ul.wave-grid`), built anew when the wave changes.
  const grid = h("div", { class: "wave-tiles" });
  const all = h("input", { id: "wave-select-all", attrs: { type: "checkbox" } });
  const heading = h("h2", { id: "wave-title" });
  const summary = h("p", { class: "hint" });
  const syncAll = () => {
    all.checked = wave.alerts.length > 0 && wave.alerts.every((a) => selected.has(a.id));
    all.indeterminate = !all.checked && selected.size > 0;
  };
  const batch = batchBar(selected, () => {
    void api
      .getWave(id)
      .then((fresh) => {
        wave = fresh;
        show();
      })
      .catch((e) => (batch.status.textContent = errorMessage(e)));
  }, (alertId) => wave.alerts.find((a) => a.id === alertId)?.platform);
  // One action for the common case: every open account the APIs can take, ticked and asked.
  const reportOpen = button("", () => {
    selected.clear();
    for (const a of openReportable(wave.alerts)) selected.add(a.id);
    for (const tick of grid.querySelectorAll<HTMLInputElement>("input.select")) {
      const on = selected.has(Number(tick.closest<HTMLElement>(".tile")?.dataset.alertId));
      tick.checked = on;
      tick.closest(".tile")?.classList.toggle("selected", on);
    }
    syncAll();
    batch.update();
    batch.bar.querySelector<HTMLButtonElement>("button.batch-report")?.click();
  }, "", { id: "wave-report-open" });
  const show = () => {
    const open = openReportable(wave.alerts).length;
    reportOpen.textContent = `Report the ${open} open ${open === 1 ? "one" : "ones"} through the APIs…`;
    reportOpen.hidden = open === 0;
    replace(heading, waveTitle(wave));
    // Reported accounts stay open cases until they are gone; what waits for the person is apart.
    const waiting = wave.alerts.filter((a) => a.state === "new" || a.state === "seen").length;
    const reported = wave.alerts.filter((a) => a.state === "reported").length;
    const followed = reported > 0 ? ` · ${reported} reported, followed until the account is gone` : "";
    replace(summary, `${verdictLabel(wave.verdict)} · ${waiting} waiting for you${followed} · ticked ones can be acted on together.`);
    const tiles = wave.alerts;
    const page = (offset: number) => tiles.slice(offset, offset + TILE_PAGE);
    const onPage = (shown: AlertRow[]) => void loadPictures(grid, shown.map((a) => a.id));
    replace(grid, pagedList(page(0), tiles.length, (offset) => Promise.resolve(page(offset)), (a) => tile(a, selected), onPage, "wave-grid", undefined, TILE_PAGE));
    syncAll();
    batch.update();
  };
  all.addEventListener("change", () => {
    for (const a of wave.alerts) {
      if (all.checked) selected.add(a.id);
      else selected.delete(a.id);
    }
    for (const tick of grid.querySelectorAll<HTMLInputElement>("input.select")) {
      tick.checked = all.checked;
      tick.closest(".tile")?.classList.toggle("selected", all.checked);
    }
    batch.update();
  });
  grid.addEventListener("selection", () => {
    syncAll();
    batch.update();
  });
  keyboardNavigation(grid, "a.tile-link", "input.select");
  const exported = h("p", { class: "hint", attrs: { role: "status", "aria-live": "polite" } });
  const exportButton = h("button", { id: "wave-export", attrs: { type: "button" } }, "Export evidence of the wave");
  exportButton.addEventListener("click", () => {
    exportButton.disabled = true;
    replace(exported, "Writing one bundle with every account…");
    api.exportWaveEvidence(id)
      .then((r) => replace(exported, `Evidence of ${wave.count} accounts saved in ${r.path}`))
      .catch((e) => replace(exported, errorMessage(e)))
      .finally(() => (exportButton.disabled = false));
  });
  page.append(
    heading,
    summary,
    h("div", { class: "wave-actions" }, h("label", { class: "select-all", attrs: { for: all.id } }, all, " Select all in this wave"), reportOpen),
    batch.bar,
    h("div", { class: "wave-export" }, exportButton, exported),
    grid,
  );
  show();
  return page;
}

/** Fills in the tiles' pictures, a hundred at a time (the command takes at most 500). */
async function loadPictures(grid: HTMLElement, ids: number[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 100) {
    const pictures = await api.alertPictures(ids.slice(i, i + 100)).catch(() => []);
    for (const p of pictures) {
      if (!p.avatar) continue;
      grid.querySelector(`li[data-alert-id="${p.id}"] .account-face`)?.replaceWith(picture(p.avatar, "Profile picture", "face account-face"));
    }
  }
}
