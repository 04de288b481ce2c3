// End-to-end test of the desktop app in its real WebKit webview, driven through tauri-driver
// and WebKitWebDriver. Run by scripts/e2e-desktop, which provides Xvfb, a private D-Bus
// session with a real notification server (dunst) and a dbus-monitor log of that bus.
//
// Env: DOPPELWATCH_DESKTOP_BIN (the built app), E2E_SCREENSHOT_DIR, E2E_DBUS_LOG,
//      DOPPELWATCH_DATA_DIR (empty data folder for the app), E2E_PICK_FILE.

import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Builder, By, until } from "selenium-webdriver";

const BIN = process.env.DOPPELWATCH_DESKTOP_BIN;
const SHOTS = process.env.E2E_SCREENSHOT_DIR ?? "e2e-screenshots";
const DBUS_LOG = process.env.E2E_DBUS_LOG;
const PORT = 4444;
const STEP = 20_000; // longest wait for one step

let driverProcess;
let driver;
/** The alert whose report draft the person edits before closing the window. */
let editedAlertId;
const DRAFT_EDIT = "Edited by hand before closing the window.";

function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.end();
        resolve();
      });
      socket.once("error", () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on port ${port} after ${timeoutMs} ms`));
        else setTimeout(attempt, 200);
      });
    };
    attempt();
  });
}

async function shot(name) {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  writeFileSync(path, await driver.takeScreenshot(), "base64");
  console.log(`screenshot: ${path}`);
}

async function byCss(css, timeout = STEP) {
  return driver.wait(until.elementLocated(By.css(css)), timeout, `no element ${css} after ${timeout} ms`);
}

async function textOf(css, timeout = STEP) {
  return (await byCss(css, timeout)).getText();
}

/** Waits until `f()` returns a truthy value, polling; fails with `what` after `timeoutMs`. */
async function eventually(f, what, timeoutMs = STEP) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    // A page re-rendered under our feet (an alert arrived) makes elements stale: try again.
    const value = await Promise.resolve()
      .then(f)
      .catch((e) => {
        lastError = e;
        return null;
      });
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ""}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

before(async () => {
  assert.ok(BIN, "DOPPELWATCH_DESKTOP_BIN must name the built app");
  driverProcess = spawn("tauri-driver", ["--port", String(PORT), "--native-port", String(PORT + 1)], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  await waitForPort(PORT, 15_000);
  driver = await new Builder()
    .usingServer(`http://127.0.0.1:${PORT}/`)
    .withCapabilities({ browserName: "wry", "tauri:options": { application: BIN, args: ["--demo"] } })
    .build();
  await driver.manage().setTimeouts({ script: STEP, pageLoad: STEP });
});

after(async () => {
  try {
    // The last test's session may be gone already, or not answer.
    if (driver) await Promise.race([driver.quit().catch(() => {}), new Promise((r) => setTimeout(r, 15_000))]);
  } finally {
    // Ending a session does not always close its window (WebKitWebDriver may be stopped before
    // the app acts on it), and a window left open holds this runner's output pipe, so the run
    // never ends. Windows of this run (its data folder) are closed as the system would.
    await endWindowsOfThisRun();
    if (driverProcess) driverProcess.kill("SIGTERM");
  }
});

/** Window processes started by this run: the app with this run's data folder. */
function windowsOfThisRun() {
  const mark = `DOPPELWATCH_DATA_DIR=${process.env.DOPPELWATCH_DATA_DIR}`;
  return processes("doppelwatch-desktop").filter((p) => {
    try {
      return readFileSync(`/proc/${p.pid}/environ`, "utf8").split("\0").includes(mark);
    } catch {
      return false; // gone meanwhile
    }
  });
}

async function endWindowsOfThisRun() {
  if (!process.env.DOPPELWATCH_DATA_DIR) return;
  for (const signal of ["SIGTERM", "SIGKILL"]) {
    const left = windowsOfThisRun();
    if (left.length === 0) return;
    console.log(`ending ${left.length} window process(es) left by the driver with ${signal}`);
    for (const p of left) {
      try {
        process.kill(p.pid, signal);
      } catch {
        // gone meanwhile
      }
    }
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && windowsOfThisRun().length) await new Promise((r) => setTimeout(r, 200));
  }
}

/** Running processes whose program is `name`, with their arguments. */
function processes(name) {
  const found = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    let args;
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    } catch {
      continue; // gone meanwhile
    }
    if (args.length && basename(args[0]) === name) found.push({ pid: Number(pid), args });
  }
  return found;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Reads a property of the watcher's tray icon (its StatusNotifierItem on the session bus). */
function trayProperty(watcherPid, property) {
  const names = execFileSync("gdbus", ["call", "--session", "--dest", "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus", "--method", "org.freedesktop.DBus.ListNames"], { encoding: "utf8" });
  const name = names.match(new RegExp(`org\\.kde\\.StatusNotifierItem-${watcherPid}-\\d+`))?.[0];
  assert.ok(name, `the watcher (pid ${watcherPid}) has a tray icon on the session bus: ${names}`);
  return execFileSync("gdbus", ["call", "--session", "--dest", name, "--object-path", "/StatusNotifierItem", "--method", "org.freedesktop.DBus.Properties.Get", "org.kde.StatusNotifierItem", property], { encoding: "utf8" });
}

/** The notifications that reached the D-Bus notification server, from the dbus-monitor log. */
function notifications() {
  const log = readFileSync(DBUS_LOG, "utf8");
  return log
    .split(/\n(?=method call|signal|method return|error)/)
    .filter((block) => /member=Notify\b/.test(block))
    .map((block) => ({
      strings: [...block.matchAll(/string "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]),
    }));
}

/** Chooses an action of a shown notification through dunst's own context menu. */
function invokeNotificationAction(actionKey) {
  writeFileSync(process.env.E2E_PICK_FILE, actionKey);
  execFileSync("dunstctl", ["context"], { timeout: 10_000 });
}

test("onboarding -> demo impostor -> notification -> its action opens the alert -> report draft", { timeout: 240_000 }, async () => {
  // Onboarding: handles are checked as typed; look-alikes are shown.
  await byCss("#name");
  await shot("01-onboarding");
  await (await byCss("#name")).sendKeys("Palmer Report");
  await (await byCss("#handle-bluesky")).sendKeys("palmerreport.bsky.social");
  await (await byCss("#handle-x")).sendKeys("bad handle!");
  await eventually(async () => (await (await byCss("#handle-x")).getAttribute("aria-invalid")) === "true", "the invalid X handle to be flagged");
  assert.match(await textOf("#handle-x-msg"), /not valid/);
  await (await byCss("#handle-x")).clear();
  await (await byCss("#handle-x")).sendKeys("PalmerReport");
  await eventually(async () => /Looks right/.test(await textOf("#handle-x-msg")), "the X handle to be accepted");
  await byCss(".variants li");
  // The avatar comes from a file, re-encoded by Rust into a PNG data URL.
  const picture = fileURLToPath(new URL("../../src-tauri/icons/icon.png", import.meta.url));
  await (await byCss("#avatar")).sendKeys(picture);
  await eventually(async () => /^data:image\/png;base64,/.test((await (await byCss("img.avatar")).getAttribute("src")) ?? ""), "the avatar preview");
  // Or taken from the person's own profile (the demo's fake Bluesky has one, with a picture).
  const fromFile = await (await byCss("img.avatar")).getAttribute("src");
  await (await byCss("#avatar-from-profile")).click();
  await eventually(async () => /taken from your Bluesky profile/.test(await textOf("#avatar-msg")), "the picture from the person's own Bluesky profile");
  assert.match((await (await byCss("img.avatar")).getAttribute("src")) ?? "", /^data:image\/png;base64,/);
  assert.notEqual(await (await byCss("img.avatar")).getAttribute("src"), fromFile, "the profile's picture replaced the file's");
  await shot("02-onboarding-lookalikes");
  await (await byCss("#save-identity")).click();

  // Dashboard: the sources say what they do.
  await byCss("#dash-title");
  await eventually(async () => /Bluesky/.test(await textOf(".sources", 5_000).catch(() => "")), "the Bluesky source on the dashboard", 30_000);
  await shot("03-dashboard");

  // A demo impostor appears; its notification reaches the D-Bus notification server (dunst).
  const notice = await eventually(
    () => notifications().find((n) => n.strings.some((s) => /^review:\d+$/.test(s))),
    "a notification with a review action on the session bus",
    90_000,
  );
  const action = notice.strings.find((s) => /^review:\d+$/.test(s));
  const alertId = Number(action.split(":")[1]);

  // Its "Review and report" action, chosen in dunst, opens the app at that alert.
  invokeNotificationAction(action);
  await eventually(async () => (await driver.getCurrentUrl()).endsWith(`#/alerts/${alertId}`), `the app to open alert ${alertId}`);
  await byCss(".alert-view .candidate");
  const impostorUrl = await textOf(".candidate .url");
  // The notification named this very account (not just fixed words every notice carries).
  const impostorHandle = impostorUrl.split("/").filter(Boolean).pop();
  assert.ok(
    notice.strings.some((s) => s.includes(impostorHandle)),
    `the notification names ${impostorHandle}: ${notice.strings.join(" | ")}`,
  );
  const reasons = await driver.findElements(By.css(".reasons li"));
  assert.ok(reasons.length > 0, "the alert lists its reasons");
  const reasonTexts = await Promise.all(reasons.map((r) => r.getText()));
  // The look-alike characters of the impostor's handle are highlighted and named.
  const marks = await driver.findElements(By.css(".candidate .handle-marked mark"));
  assert.ok(marks.length > 0, "the impostor's look-alike characters are marked");
  assert.match(await textOf(".candidate .char-notes"), /U\+[0-9A-F]{4}/);
  await shot("04-alert");

  // The report draft shows the impostor's URL and speaks as the person to the platform,
  // naming what was copied ("my name", "my photo", ...), never "your".
  await (await byCss("#report")).click();
  await byCss("#draft");
  const draft = await (await byCss("#draft")).getAttribute("value");
  assert.ok(draft.includes(impostorUrl), `draft has the impostor URL ${impostorUrl}:\n${draft}`);
  assert.ok(reasonTexts.length > 0);
  assert.match(draft, /This account impersonates me, /, `draft speaks as the person:\n${draft}`);
  assert.match(draft, /\bmy (name|photo|bio)\b|a handle .* from mine/, `draft names what was copied:\n${draft}`);
  assert.doesNotMatch(draft, /\byours?\b/i, `draft never speaks to the person:\n${draft}`);
  await shot("05-report");

  // Filing through Bluesky asks first, then the case status says it was reported.
  await (await byCss("#file-report")).click();
  await (await byCss("#confirm-file")).click();
  await eventually(async () => /reported/i.test(await textOf("#case-status")), "the case status to say reported", 30_000);
  await shot("06-report-filed");

  // The inbox lists the alerts, new first.
  await driver.get((await driver.getCurrentUrl()).replace(/#.*$/, "#/alerts"));
  await byCss("a.alert-link");
  await shot("07-inbox");
});

test("a namesake (its own face and bio) waits in the worth-a-look list without a pop-up; impostors pop up", { timeout: 120_000 }, async () => {
  // The demo plants a namesake before its first impostor: the exact name on a new account with
  // its own picture and an unrelated bio (a plumber in Adelaide).
  const base = (await driver.getCurrentUrl()).replace(/#.*$/, "");
  // (Read in one go: a new alert re-renders the list under our feet.)
  const namesake = await eventually(async () => {
    await driver.get(`${base}#/worth-a-look`);
    await byCss("#inbox-title");
    for (const link of await driver.findElements(By.css("#worth-a-look a.alert-link"))) {
      const text = await link.getText();
      if (text.includes("@adelaideplumber.bsky.social")) return { text, verdict: await link.getAttribute("data-verdict") };
    }
    return null;
  }, "the namesake in the worth-a-look list", 60_000);
  assert.equal(namesake.verdict, "suspicious");
  assert.match(namesake.text, /Worth a look/);
  assert.match(namesake.text, /Palmer Report/);
  assert.equal(await textOf("#inbox-title"), "Worth a look");
  await shot("07b-worth-a-look");
  // It was found before the first impostor, whose notification came long ago: it raised none,
  // and no digest either (that waits an hour at least). Impostors did pop up.
  const all = notifications();
  const aboutNamesake = all.filter((n) => n.strings.some((s) => /adelaideplumber|worth a look/i.test(s)));
  assert.deepEqual(aboutNamesake, [], "no notification about the namesake");
  assert.ok(all.some((n) => n.strings.some((s) => /^review:\d+$/.test(s))), "the impostor's notification");
  // The alert list shows the two apart; the dashboard counts them apart.
  await driver.get(`${base}#/alerts`);
  const verdicts = await eventually(async () => {
    const of = async (css) => Promise.all((await driver.findElements(By.css(css))).map((l) => l.getAttribute("data-verdict")));
    const apart = { impostors: await of("#impostors a.alert-link"), worthALook: await of("#worth-a-look a.alert-link") };
    return apart.impostors.length > 0 && apart.worthALook.length > 0 ? apart : null;
  }, "impostors and accounts worth a look listed apart");
  assert.ok(verdicts.impostors.every((v) => v === "impostor"), verdicts.impostors.join());
  assert.ok(verdicts.worthALook.every((v) => v === "suspicious"), verdicts.worthALook.join());
  await driver.get(`${base}#/dashboard`);
  await eventually(async () => /\d+ accounts? worth a look/.test(await textOf(".figure.worth-a-look", 5_000)), "the dashboard to count the accounts worth a look");
  assert.match(await textOf(".figure.impostors"), /impostor alert|No impostor alerts/);
  await shot("07c-dashboard-figures");
});

test("settings: a test notification reaches the notification server", { timeout: 60_000 }, async () => {
  const base = (await driver.getCurrentUrl()).replace(/#.*$/, "");
  await driver.get(`${base}#/settings`);
  await byCss("#settings-title");
  await shot("09-settings");
  const before = notifications().length;
  await (await byCss("#test-notification")).click();
  await eventually(
    () => notifications().slice(before).some((n) => n.strings.some((s) => /test notification/i.test(s))),
    "the test notification on the session bus",
  );
  await eventually(async () => /sent/i.test(await textOf("main .status")), "the settings status to say sent");
});

test("hostile names and bios show as inert text and the CSP holds", { timeout: 120_000 }, async () => {
  const base = (await driver.getCurrentUrl()).replace(/#.*$/, "");
  // The demo plants an impostor with <img onerror> in its name and <script> in its bio.
  const hostile = await eventually(async () => {
    await driver.get(`${base}#/alerts`);
    await byCss("#inbox-title");
    for (const link of await driver.findElements(By.css("a.alert-link"))) {
      if ((await link.getText()).includes("<img")) return link.getAttribute("href");
    }
    return null;
  }, "the hostile demo impostor in the inbox", 90_000);
  await driver.get(new URL(hostile, base).toString());
  await byCss(".alert-view .candidate");
  const card = await textOf(".candidate");
  assert.match(card, /<img src=x onerror=/);
  assert.match(card, /<script>window.__pwned=2<\/script>/);
  assert.equal((await driver.findElements(By.css('.candidate img[src="x"], .candidate script'))).length, 0);
  assert.equal(await driver.executeScript("return window.__pwned === undefined"), true);
  // The CSP forbids inline script: one injected by hand does not run.
  const ran = await driver.executeScript(`
    const s = document.createElement("script");
    s.textContent = "window.__inline = 1";
    document.body.appendChild(s);
    return window.__inline === 1;`);
  assert.equal(ran, false, "an inline script ran: the CSP does not hold");
  await shot("08-hostile-profile-inert");

  // Snoozing it for a week says until when, and the alert shows as snoozed.
  await (await byCss('button[data-snooze="one_week"]')).click();
  await eventually(async () => /Snoozed until/.test(await textOf(".snoozed-until")), "the alert to say it is snoozed until a date");
  await driver.executeScript("arguments[0].scrollIntoView({block: 'center'})", await byCss(".snooze"));
  await shot("11-snoozed");
});

test("closing the window ends its process; the watcher keeps watching and its notification reopens the app at the alert", { timeout: 180_000 }, async () => {
  const watcherPid = Number(readFileSync(join(process.env.DOPPELWATCH_DATA_DIR, "watcher-demo.lock"), "utf8").trim());
  assert.ok(alive(watcherPid), `the background watcher (pid ${watcherPid}) runs`);
  assert.deepEqual(processes("doppelwatch-watcher").map((p) => p.pid), [watcherPid], "exactly one watcher");
  // The tray icon belongs to the watcher and counts the open alerts, impostors and worth-a-look
  // apart (the earlier tests reported or snoozed the impostors they opened, so there may be
  // none open right now; the namesake is still worth a look).
  assert.match(trayProperty(watcherPid, "Title"), /Doppelwatch: (\d+ impostor alerts?, )?\d+ worth a look/);
  const windows = processes("doppelwatch-desktop");
  assert.equal(windows.length, 1, "one window process");

  // The person edits a report draft, then closes the window: the edit is kept (the last test
  // reopens the window and finds it).
  const base = (await driver.getCurrentUrl()).replace(/#.*$/, "");
  await driver.get(`${base}#/alerts`);
  const firstAlert = await (await byCss("a.alert-link")).getAttribute("href");
  editedAlertId = Number(/#\/alerts\/(\d+)/.exec(firstAlert)[1]);
  await driver.get(`${base}#/alerts/${editedAlertId}/report`);
  const draftArea = await byCss("#draft");
  await draftArea.sendKeys(`\n${DRAFT_EDIT}`);
  // The edit is saved as the person types (after a short pause): wait until the report view,
  // rendered afresh from the app, shows it.
  await eventually(async () => {
    await driver.get(`${base}#/alerts/${editedAlertId}`);
    await byCss(".alert-view");
    await driver.get(`${base}#/alerts/${editedAlertId}/report`);
    return (await (await byCss("#draft")).getAttribute("value")).includes(DRAFT_EDIT);
  }, "the edited draft to be saved");
  const before = notifications().length;

  // Close the window as the person does: its whole process ends (webview, GTK and WebKit go).
  await driver.close().catch(() => {});
  await eventually(() => !alive(windows[0].pid), `the window process ${windows[0].pid} to end`, 30_000);
  assert.ok(alive(watcherPid), "the watcher keeps running with the window closed");

  // A new demo impostor appears while no window is open: its notification still arrives.
  // (Alerts found together come as one summary whose action opens the alert list; the demo's
  // impostors form a wave, whose update "N more accounts imitating ..." opens that wave.)
  const reviewAction = /^review:(\d+|all:[\d,]+|wave:\d+:[\d,]+)$/;
  const notice = await eventually(
    () => notifications().slice(before).find((n) => n.strings.some((s) => reviewAction.test(s))),
    "a notification raised with the window closed",
    120_000,
  );
  const action = notice.strings.find((s) => reviewAction.test(s));
  // The tray counts the new alert.
  await eventually(() => /Doppelwatch: \d+ impostor alerts?/.test(trayProperty(watcherPid, "Title")), "the tray to count the new alert");
  const single = /^review:(\d+)$/.exec(action);
  const wave = /^review:wave:(\d+):/.exec(action);
  const place = single ? ["--alert", single[1]] : wave ? ["--wave", wave[1]] : ["--inbox"];

  // Its action, chosen in dunst, starts the window again, at that alert, wave (or the list).
  invokeNotificationAction(action);
  const reopened = await eventually(
    () => processes("doppelwatch-desktop").find((p) => place.every((a) => p.args.includes(a))),
    `a window process opened with ${place.join(" ")}`,
    30_000,
  );
  assert.ok(reopened.args.includes("--demo"), reopened.args.join(" "));
  // A picture of the screen with the reopened window, where ImageMagick is installed.
  if (existsSync("/usr/bin/import")) {
    await new Promise((r) => setTimeout(r, 3_000));
    mkdirSync(SHOTS, { recursive: true });
    const path = join(SHOTS, "10-reopened-at-alert.png");
    try {
      execFileSync("import", ["-window", "root", path], { timeout: 15_000 });
      console.log(`screenshot: ${path}`);
    } catch (e) {
      console.log(`no screenshot of the screen: ${e.message}`);
    }
  }
  process.kill(reopened.pid, "SIGTERM");
  // Gone for good before the next window starts: a dying instance still holds the single-instance
  // name on D-Bus, and a new window would forward its arguments there and exit.
  await eventually(() => !alive(reopened.pid), `the reopened window ${reopened.pid} to end`, 30_000);
});

test("an edited report draft survives closing and reopening the window", { timeout: 120_000 }, async () => {
  assert.ok(editedAlertId, "the previous test edited a draft");
  // The first session's window is gone with its process: end that session, so the driver
  // (one session at a time) takes a new one. A session whose browser is gone may not answer.
  await Promise.race([driver.quit().catch(() => {}), new Promise((r) => setTimeout(r, 15_000))]);
  driver = undefined;
  // A new window process (the old one ended with its window), opened at that alert's report.
  driver = await new Builder()
    .usingServer(`http://127.0.0.1:${PORT}/`)
    .withCapabilities({ browserName: "wry", "tauri:options": { application: BIN, args: ["--demo", "--alert", String(editedAlertId)] } })
    .build();
  await driver.manage().setTimeouts({ script: STEP, pageLoad: STEP });
  await byCss(".alert-view");
  const base = (await driver.getCurrentUrl()).replace(/#.*$/, "");
  await driver.get(`${base}#/alerts/${editedAlertId}/report`);
  const draft = await eventually(async () => {
    const value = await (await byCss("#draft")).getAttribute("value");
    return value.includes(DRAFT_EDIT) ? value : null;
  }, "the edited draft in the reopened window");
  assert.ok(draft.includes(DRAFT_EDIT), draft);
  await shot("12-draft-kept-after-reopening");
});
