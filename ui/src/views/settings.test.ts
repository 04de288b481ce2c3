import { beforeEach, describe, expect, it } from "vitest";
import { mockCommands, settle, type } from "../test-helpers";
import { SETTINGS_RANGES } from "../bindings/settingsRangeValues";
import { PLATFORMS } from "../bindings/platforms";
import type { SettingsView } from "../bindings/SettingsView";
import { inRange, settingsView } from "./settings";

const settingsWith = (worth_a_look_digest: boolean): SettingsView => ({
  check_interval_minutes: 30,
  budgets: { x: 1, youtube: 10000 },
  quiet_hours: null,
  start_at_login: false,
  worth_a_look_digest,
});
const saved: SettingsView = settingsWith(true);

describe("settings", () => {
  beforeEach(() => document.body.replaceChildren());

  it("shows the daily worth-a-look digest and saves it with the other settings", async () => {
    let current = settingsWith(true);
    const calls = mockCommands({
      get_settings: () => current,
      save_settings: (args) => {
        current = args.settings as SettingsView;
        return current;
      },
      credentials: () => [],
    });
    const view = await settingsView();
    document.body.append(view);
    const digest = view.querySelector<HTMLInputElement>("#digest")!;
    expect(digest.type).toBe("checkbox");
    expect(digest.checked).toBe(true);
    expect(view.querySelector('label[for="digest"]')?.textContent).toBe("Once a day, tell me how many accounts are worth a look");
    expect(document.getElementById(digest.getAttribute("aria-describedby")!)?.textContent).toContain("Impostors always get a notification at once");

    digest.click();
    view.querySelector<HTMLFormElement>("form")!.requestSubmit();
    await settle();
    const save = calls.filter((c) => c.cmd === "save_settings");
    expect(save).toEqual([{ cmd: "save_settings", args: { settings: { ...settingsWith(false) } } }]);
    expect(view.querySelector(".status")?.textContent).toBe("Settings saved.");

    // Read back as saved.
    const again = await settingsView();
    expect(again.querySelector<HTMLInputElement>("#digest")!.checked).toBe(false);
  });

  it("offers and accepts only the ranges the settings file accepts", async () => {
    const calls = mockCommands({
      get_settings: () => saved,
      credentials: () => [],
      save_settings: (a) => a.settings,
    });
    const view = await settingsView();
    document.body.append(view);
    const interval = view.querySelector<HTMLInputElement>("#interval")!;
    const cap = view.querySelector<HTMLInputElement>("#x-cap")!;
    const quota = view.querySelector<HTMLInputElement>("#youtube-cap")!;
    const { check_interval_minutes: minutes } = SETTINGS_RANGES;
    // The budgets' fields and ranges come from the registry (generated), one per paid platform.
    const dollars = PLATFORMS.find((p) => p.id === "x")!.budget!;
    const units = PLATFORMS.find((p) => p.id === "youtube")!.budget!;
    expect([interval.min, interval.max]).toEqual([String(minutes.min), String(minutes.max)]);
    expect([cap.min, cap.max]).toEqual([String(dollars.min), String(dollars.max)]);
    expect([quota.min, quota.max, quota.value]).toEqual([String(units.min), String(units.max), "10000"]);
    expect(view.querySelector('label[for="youtube-cap"]')?.textContent).toContain("YouTube API quota per day");
    const form = view.querySelector("form")!;
    const status = view.querySelector(".status")!;

    for (const [m, c, said] of [
      [String(minutes.min - 1), "1", "Check interval"],
      [String(minutes.max + 1), "1", "Check interval"],
      ["2.5", "1", "Check interval"],
      ["60", "1e308", "X API spending cap"],
      ["60", "-1", "X API spending cap"],
      ["60", "", "X API spending cap"],
    ]) {
      type(interval, m);
      type(cap, c);
      // The webview's own validation (min/max) blocks such a submit; ours must too.
      form.dispatchEvent(new Event("submit", { cancelable: true }));
      await settle();
      expect(status.textContent, `${m} / ${c}`).toContain(said);
    }
    type(cap, "1");
    for (const q of ["2.5", String(units.max + 1), ""]) {
      type(quota, q);
      form.dispatchEvent(new Event("submit", { cancelable: true }));
      await settle();
      expect(status.textContent, q).toContain("YouTube API quota per day");
    }
    type(quota, "5000");
    expect(calls.filter((c) => c.cmd === "save_settings")).toEqual([]);

    type(interval, String(minutes.min - 1));
    expect(interval.checkValidity()).toBe(false);
    type(interval, String(minutes.max));
    type(cap, String(dollars.max));
    expect(interval.checkValidity() && cap.checkValidity()).toBe(true);
    form.requestSubmit();
    await settle();
    expect(status.textContent).toBe("Settings saved.");
    const save = calls.find((c) => c.cmd === "save_settings");
    expect(save?.args.settings).toMatchObject({ check_interval_minutes: minutes.max, budgets: { x: dollars.max, youtube: 5000 } });
  });

  it("reads a typed number only when it lies in the range", () => {
    const range = { min: 1, max: 10 };
    expect(inRange("1", range, true)).toBe(1);
    expect(inRange("10", range, true)).toBe(10);
    expect(inRange("0", range, true)).toBeNull();
    expect(inRange("11", range, true)).toBeNull();
    expect(inRange("2.5", range, true)).toBeNull();
    expect(inRange("2.5", range, false)).toBe(2.5);
    expect(inRange("", range, false)).toBeNull();
    expect(inRange("Infinity", range, false)).toBeNull();
  });
});
