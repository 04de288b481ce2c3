// Settings: sources and credentials (to the keychain), intervals, X spending cap, quiet hours,
// start at login, and a test notification.

import { api, errorMessage, type Platform } from "../api";
import { button, field, h } from "../dom";
import type { SettingsView } from "../bindings/SettingsView";

const CREDENTIALS: { platform: Platform; label: string; account: string; secret: string }[] = [
  { platform: "bluesky", label: "Bluesky", account: "Your handle", secret: "App password (Settings → Privacy → App passwords)" },
  { platform: "mastodon", label: "Mastodon", account: "Your server (e.g. mastodon.social)", secret: "Access token (Preferences → Development)" },
  { platform: "x", label: "X", account: "Label for this key", secret: "API bearer token (your own developer account)" },
];

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

  const interval = h("input", { id: "interval", attrs: { type: "number", min: "5", max: "1440", step: "1" } });
  interval.value = String(settings.check_interval_minutes);
  const cap = h("input", { id: "x-cap", attrs: { type: "number", min: "0", step: "0.5" } });
  cap.value = String(settings.x_spending_cap_usd);
  const quiet = h("input", { id: "quiet", attrs: { type: "checkbox" } });
  quiet.checked = settings.quiet_hours !== null;
  const quietStart = h("input", { id: "quiet-start", attrs: { type: "time" } });
  quietStart.value = settings.quiet_hours?.start ?? "22:00";
  const quietEnd = h("input", { id: "quiet-end", attrs: { type: "time" } });
  quietEnd.value = settings.quiet_hours?.end ?? "07:00";
  const login = h("input", { id: "login", attrs: { type: "checkbox" } });
  login.checked = settings.start_at_login;

  const save = async (ev: Event) => {
    ev.preventDefault();
    const minutes = Number(interval.value);
    if (!Number.isInteger(minutes) || minutes < 5 || minutes > 1440) {
      status.textContent = "Check interval: type a whole number of minutes from 5 to 1440.";
      interval.focus();
      return;
    }
    const dollars = Number(cap.value);
    if (!Number.isFinite(dollars) || dollars < 0) {
      status.textContent = "X spending cap: type an amount in dollars, 0 or more.";
      cap.focus();
      return;
    }
    try {
      settings = await api.saveSettings({
        check_interval_minutes: minutes,
        x_spending_cap_usd: dollars,
        quiet_hours: quiet.checked ? { start: quietStart.value, end: quietEnd.value } : null,
        start_at_login: login.checked,
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
        field("Minutes between checks", interval, "Bluesky is also watched live.").wrap,
        field("X API spending cap per day (US dollars)", cap, "Checks on X stop for the day when the cap is reached.").wrap,
      ),
      h(
        "fieldset",
        null,
        h("legend", null, "Notifications"),
        h("div", { class: "check" }, quiet, h("label", { attrs: { for: "quiet" } }, "Quiet hours (no notification sound or pop-up)")),
        h("div", { class: "row" }, field("From", quietStart).wrap, field("To", quietEnd).wrap),
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
