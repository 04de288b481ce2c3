// End-to-end test of the desktop app in its real WebKit webview, driven through tauri-driver
// and WebKitWebDriver. Run by scripts/e2e-desktop, which provides Xvfb, a private D-Bus
// session with a real notification server (dunst) and a dbus-monitor log of that bus.
//
// Env: DOPPELWATCH_DESKTOP_BIN (the built app), E2E_SCREENSHOT_DIR, E2E_DBUS_LOG,
//      E2E_DATA_DIR (empty data folder for the app).

import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
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
  for (;;) {
    const value = await f();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
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
    if (driver) await driver.quit();
  } finally {
    if (driverProcess) driverProcess.kill("SIGTERM");
  }
});

test("onboarding validates handles as typed and leads to the dashboard", { timeout: 180_000 }, async () => {
  // Onboarding.
  await byCss("#name");
  await shot("01-onboarding");
  await (await byCss("#name")).sendKeys("Palmer Report");
  await (await byCss("#handle-bluesky")).sendKeys("palmerreport.bsky.social");
  await (await byCss("#handle-x")).sendKeys("bad handle!");
  await eventually(async () => (await (await byCss("#handle-x")).getAttribute("aria-invalid")) === "true", "the invalid X handle to be flagged");
  assert.match(await textOf("#handle-x-msg"), /not valid/);
  await shot("02-onboarding-invalid-handle");
  await (await byCss("#handle-x")).clear();
  await (await byCss("#handle-x")).sendKeys("PalmerReport");
  await eventually(async () => /Looks right/.test(await textOf("#handle-x-msg")), "the X handle to be accepted");
  await (await byCss("#save-identity")).click();

  // Dashboard.
  await byCss("#dash-title");
  await shot("03-dashboard");
});
