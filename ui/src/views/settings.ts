// Settings: sources and credentials (to the keychain), intervals, the daily budgets of the
// platforms whose reads cost (X's spending cap, YouTube's quota), quiet hours, the daily
// worth-a-look digest, start at login, and a test notification.

import { api, errorMessage, type Platform } from "../api";
import { button, field, h } from "../dom";
import type { SettingsView } from "../bindings/SettingsView";
import type { NumberRange } from "../bindings/NumberRange";
// The same ranges the settings file and the save command accept (generated from Rust).
import { SETTINGS_RANGES } from "../bindings/settingsRangeValues";

// Every registered platform that takes a credential, with the words to ask for it (generated
// from the core's registry).
import { PLATFORMS } from "../bindings/platforms";

const CREDENTIALS: { platform: Platform; label: string; account: string; secret: string }[] = PLATFORMS.flatMap((p) =>
  p.credential ? [{ platform: p.id, label: p.label, account: p.credential.account_label, secret: p.credential.secret_label }] : [],
);

/** The hint under the interval: which platforms are watched live as well. */
function liveHint(): string {
  const live = PLATFORMS.filter((p) => p.live).map((p) => p.label);
  if (live.length === 0) return "";
  return `${live.join(" and ")} ${live.length === 1 ? "is" : "are"} also watched live.`;
}

/** The typed value when it is a number within `range` (whole when asked), else null. */
export function inRange(text: string, range: NumberRange, whole: boolean): number | null {
  if (text.trim() === "") return null;
  const value = Number(text);
  if (!Number.isFinite(value) || (whole && !Number.isInteger(value))) return null;
  return value >= range.min && value <= range.max ? value : null;
}

export async function settingsView(): Promise<HTMLElement> {
  const section = h("section", { attrs: { "aria-labelledby": "settings-title" } }, h("h2", { id: "settings-title" }, "Settings"));
  const status = h("p", { class: "status", attrs: { role: "status", "aria-live": "polite" } });
  let settings: SettingsView;
  try {
    settings = await api.getSettings();
  } catch (e) {
    section.append(h("p", { class: "error", attrs: { role: "alert" } }, errorMessage(e)));
    return section;
  }

  const { check_interval_minutes: minutesRange } = SETTINGS_RANGES;
  const interval = h("input", {
    id: "interval",
    attrs: { type: "number", min: String(minutesRange.min), max: String(minutesRange.max), step: "1" },
  });
  interval.value = String(settings.check_interval_minutes);
  // One field per platform with a daily budget, in registry order (generated from the core).
  const budgets = PLATFORMS.flatMap((p) => {
    if (!p.budget) return [];
    const b = p.budget;
    const input = h("input", { id: `${p.id}-cap`, attrs: { type: "number", min: String(b.min), max: String(b.max), step: String(b.step) } });
    input.value = String(settings.budgets[p.id] ?? b.min);
    return [{ id: p.id, form: b, input }];
  });
  const quiet = h("input", { id: "quiet", attrs: { type: "checkbox" } });
  quiet.checked = settings.quiet_hours !== null;
  const quietStart = h("input", { id: "quiet-start", attrs: { type: "time" } });
  quietStart.value = settings.quiet_hours?.start ?? "22:00";
  const quietEnd = h("input", { id: "quiet-end", attrs: { type: "time" } });
  quietEnd.value = settings.quiet_hours?.end ?? "07:00";
  const login = h("input", { id: "login", attrs: { type: "checkbox" } });
  login.checked = settings.start_at_login;
  const digest = h("input", { id: "digest", attrs: { type: "checkbox", "aria-describedby": "digest-hint" } });
  digest.checked = settings.worth_a_look_digest;

  const save = async (ev: Event) => {
    ev.preventDefault();
    const minutes = inRange(interval.value, minutesRange, true);
    if (minutes === null) {
      status.textContent = `Check interval: type a whole number of minutes from ${minutesRange.min} to ${minutesRange.max}.`;
      interval.focus();
      return;
    }
    const values: { [id: string]: number } = {};
    for (const b of budgets) {
      const value = inRange(b.input.value, b.form, b.form.whole);
      if (value === null) {
        status.textContent = `${b.form.label}: type ${b.form.whole ? "a whole number" : "an amount"} from ${b.form.min} to ${b.form.max}.`;
        b.input.focus();
        return;
      }
      values[b.id] = value;
    }
    try {
      settings = await api.saveSettings({
        check_interval_minutes: minutes,
        budgets: values,
        quiet_hours: quiet.checked ? { start: quietStart.value, end: quietEnd.value } : null,
        start_at_login: login.checked,
        worth_a_look_digest: digest.checked,
      });
      status.textContent = "Settings saved.";
    } catch (e) {
      status.textContent = errorMessage(e);
    }
  };

  const credList = h("ul", { class: "cred-status" });
  const showCreds = async () => {
    try {
      const creds = await api.credentials();
      credList.replaceChildren(...creds.map((c) => h("li", null, `${c.platform}: ${c.what} ${c.stored ? "stored in the keychain" : "not set"}`)));
    } catch (e) {
      credList.replaceChildren(h("li", null, errorMessage(e)));
    }
  };
  void showCreds();

  const credForms = CREDENTIALS.map((c) => {
    const account = h("input", { id: `cred-${c.platform}-account`, attrs: { type: "text", autocomplete: "off" } });
    const secret = h("input", { id: `cred-${c.platform}-secret`, attrs: { type: "password", autocomplete: "off" } });
    const store = async (ev: Event) => {
      ev.preventDefault();
      try {
        await api.storeCredential({ platform: c.platform, account: account.value, secret: secret.value });
        secret.value = "";
        status.textContent = `${c.label} credential stored in the keychain.`;
        await showCreds();
      } catch (e) {
        status.textContent = errorMessage(e);
      }
    };
    return h(
      "form",
      { class: "cred", on: { submit: (e) => void store(e) } },
      h("fieldset", null, h("legend", null, c.label), field(c.account, account).wrap, field(c.secret, secret).wrap, h("button", { attrs: { type: "submit" } }, `Store ${c.label} credential`)),
    );
  });

  section.append(
    h(
      "form",
      { on: { submit: (e) => void save(e) } },
      h(
        "fieldset",
        null,
        h("legend", null, "Watching"),
        field("Minutes between checks", interval, liveHint()).wrap,
        ...budgets.map((b) => field(b.form.label, b.input, b.form.hint).wrap),
      ),
      h(
        "fieldset",
        null,
        h("legend", null, "Notifications"),
        h("div", { class: "check" }, quiet, h("label", { attrs: { for: "quiet" } }, "Quiet hours (no notification sound or pop-up)")),
        h("div", { class: "row" }, field("From", quietStart).wrap, field("To", quietEnd).wrap),
        h("div", { class: "check" }, digest, h("label", { attrs: { for: "digest" } }, "Once a day, tell me how many accounts are worth a look")),
        h(
          "p",
          { class: "hint", id: "digest-hint" },
          "Impostors always get a notification at once. Accounts that may be namesakes never pop up one by one: they wait under Worth a look, and this is at most one notification a day about them.",
        ),
        h("div", { class: "check" }, login, h("label", { attrs: { for: "login" } }, "Start Doppelwatch when I log in")),
      ),
      h("button", { class: "primary", attrs: { type: "submit" } }, "Save settings"),
    ),
    button("Send a test notification", () => void api.sendTestNotification().then(() => (status.textContent = "Test notification sent."), (e) => (status.textContent = errorMessage(e))), "", { id: "test-notification" }),
    h("h3", null, "Sources and credentials"),
    h("p", null, "Secrets go to your system keychain only, never to a file."),
    credList,
    ...credForms,
    status,
  );
  return section;
}
