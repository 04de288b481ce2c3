// What the end-to-end tests (desktop.test.mjs, waves.test.mjs) and the webview benchmark
// (bench/alerts-webview.mjs) share to drive the app: starting tauri-driver and a session,
// polling until something holds, finding and ending the processes of one run, and element
// lookups and screenshots on the current WebDriver session. Nothing here asserts a product behaviour.

import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { basename, join } from "node:path";
import { Builder, By, until } from "selenium-webdriver";

/** Resolves once something accepts connections on loopback `port`; fails after `timeoutMs`. */
export function waitForPort(port, timeoutMs) {
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

/**
 * Waits until `f()` returns a truthy value, polling; fails with `what` after `timeoutMs`.
 * A page re-rendered under our feet (an alert arrived) makes elements stale: `f` is tried again.
 */
export async function eventually(f, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
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

/**
 * Running processes whose program is `name`, with their arguments; with `dataDir`, only those
 * of that run: the app, its watcher and the windows it opens carry their data folder in their
 * environment (another run on the same machine has its own).
 */
export function processes(name, dataDir) {
  const mark = dataDir === undefined ? null : `DOPPELWATCH_DATA_DIR=${dataDir}`;
  const found = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
      if (!args.length || basename(args[0]) !== name) continue;
      if (mark && !readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(mark)) continue;
      found.push({ pid: Number(pid), args });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/**
 * Element lookups and screenshots on the session `current()` returns (a test may replace its
 * session). `byCss` looks again when the view re-rendered while the driver looked.
 */
export function pageHelpers(current, { shots, step = 20_000 }) {
  async function byCss(css, timeout = step) {
    const deadline = Date.now() + timeout;
    for (;;) {
      try {
        return await current().wait(until.elementLocated(By.css(css)), Math.max(1, deadline - Date.now()), `no element ${css} after ${timeout} ms`);
      } catch (e) {
        if (e?.name !== "StaleElementReferenceError" || Date.now() > deadline) throw e;
      }
    }
  }
  // The text of the element `css` finds; found again when the page re-renders it between
  // the lookup and the read (the dashboard re-renders on every status event).
  async function textOf(css, timeout = step) {
    const deadline = Date.now() + timeout;
    for (;;) {
      try {
        return await (await byCss(css, Math.max(1, deadline - Date.now()))).getText();
      } catch (e) {
        if (e?.name !== "StaleElementReferenceError" || Date.now() > deadline) throw e;
      }
    }
  }
  async function shot(name) {
    mkdirSync(shots, { recursive: true });
    const path = join(shots, `${name}.png`);
    writeFileSync(path, await current().takeScreenshot(), "base64");
    console.log(`screenshot: ${path}`);
  }
  return { byCss, textOf, shot };
}

/**
 * Starts tauri-driver on `port` (its native WebKitWebDriver on port + 1) with `env`, and a
 * session that opens the app `bin` with `args`; both, once the session is up.
 */
export async function startSession({ port, bin, args, env = process.env, step = 20_000 }) {
  const driverProcess = spawn("tauri-driver", ["--port", String(port), "--native-port", String(port + 1)], {
    stdio: ["ignore", "inherit", "inherit"],
    env,
  });
  await waitForPort(port, 15_000);
  const driver = await newSession({ port, bin, args, step });
  return { driverProcess, driver };
}

/** A new session on the tauri-driver already listening on `port`: the app `bin` started again. */
export async function newSession({ port, bin, args, step = 20_000 }) {
  const driver = await new Builder()
    .usingServer(`http://127.0.0.1:${port}/`)
    .withCapabilities({ browserName: "wry", "tauri:options": { application: bin, args } })
    .build();
  await driver.manage().setTimeouts({ script: step, pageLoad: step });
  return driver;
}

/**
 * Ends the window processes of the run whose data folder is `dataDir` (SIGTERM, then SIGKILL).
 * Ending a session does not always close its window (WebKitWebDriver may be stopped before the
 * app acts on it), and a window left open holds the test runner's output pipe, so the run would
 * never end.
 */
export async function endWindows(dataDir) {
  if (!dataDir) return;
  for (const signal of ["SIGTERM", "SIGKILL"]) {
    const left = processes("doppelwatch-desktop", dataDir);
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
    while (Date.now() < deadline && processes("doppelwatch-desktop", dataDir).length) await new Promise((r) => setTimeout(r, 200));
  }
}
