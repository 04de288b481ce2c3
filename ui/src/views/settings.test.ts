import { beforeEach, describe, expect, it } from "vitest";
import { mockCommands, settle } from "../test-helpers";
import { settingsView } from "./settings";
import type { SettingsView } from "../bindings/SettingsView";

const saved = (worth_a_look_digest: boolean): SettingsView => ({
  check_interval_minutes: 30,
  x_spending_cap_usd: 1,
  quiet_hours: null,
  start_at_login: false,
  worth_a_look_digest,
});

describe("settings", () => {
  beforeEach(() => document.body.replaceChildren());

  it("shows the daily worth-a-look digest and saves it with the other settings", async () => {
    let current = saved(true);
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
    expect(save).toEqual([{ cmd: "save_settings", args: { settings: { ...saved(false) } } }]);
    expect(view.querySelector(".status")?.textContent).toBe("Settings saved.");

    // Read back as saved.
    const again = await settingsView();
    expect(again.querySelector<HTMLInputElement>("#digest")!.checked).toBe(false);
  });
});
