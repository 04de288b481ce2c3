import { beforeEach, describe, expect, it } from "vitest";
import { mockCommands, settle, type } from "../test-helpers";
import { SETTINGS_RANGES } from "../bindings/settingsRangeValues";
import type { SettingsView } from "../bindings/SettingsView";
import { inRange, settingsView } from "./settings";

const saved: SettingsView = { check_interval_minutes: 30, x_spending_cap_usd: 1, quiet_hours: null, start_at_login: false };

describe("settings", () => {
  beforeEach(() => document.body.replaceChildren());

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
    const { check_interval_minutes: minutes, x_spending_cap_usd: dollars } = SETTINGS_RANGES;
    expect([interval.min, interval.max]).toEqual([String(minutes.min), String(minutes.max)]);
    expect([cap.min, cap.max]).toEqual([String(dollars.min), String(dollars.max)]);
    const form = view.querySelector("form")!;
    const status = view.querySelector(".status")!;

    for (const [m, c, said] of [
      [String(minutes.min - 1), "1", "Check interval"],
      [String(minutes.max + 1), "1", "Check interval"],
      ["2.5", "1", "Check interval"],
      ["60", "1e308", "X spending cap"],
      ["60", "-1", "X spending cap"],
      ["60", "", "X spending cap"],
    ]) {
      type(interval, m);
      type(cap, c);
      // The webview's own validation (min/max) blocks such a submit; ours must too.
      form.dispatchEvent(new Event("submit", { cancelable: true }));
      await settle();
      expect(status.textContent, `${m} / ${c}`).toContain(said);
    }
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
    expect(save?.args.settings).toMatchObject({ check_interval_minutes: minutes.max, x_spending_cap_usd: dollars.max });
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
