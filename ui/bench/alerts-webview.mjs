// Benchmark of the alert list in the real WebKit webview (issue 11's performance goal), run by
// scripts/bench-alerts under Xvfb and a private D-Bus session. Not a test: it prints figures
// and asserts none.
//
// For each data folder named in BENCH_DIRS ("label=dir,label=dir"), it starts the desktop app
// (DOPPELWATCH_DESKTOP_BIN) on that folder through tauri-driver and, measured inside the page
// with performance.now():
//   - open: from setting the hash to #/alerts to the first frame after the rows are in the
//     page (median of BENCH_RUNS openings, each from the dashboard);
//   - filter: from a filter's change event to the first frame after (median over the person,
//     platform, state and verdict filters, each set and reset);
// then the window's memory: PSS (/proc/PID/smaps_rollup) of the app's process and its
// descendants (the WebKit web and network processes), after the list was shown.
// Prints one JSON line per folder.

import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { Builder } from "selenium-webdriver";
import { waitForPort } from "../e2e/session.mjs";

const BIN = process.env.DOPPELWATCH_DESKTOP_BIN;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PORT = Number(process.env.BENCH_PORT ?? 4474); // apart from the e2e tests' 4444
const STEP = 300_000;

function children(pid) {
  const out = [];
  for (const p of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function tree(pid) {
  return [pid, ...children(pid).flatMap(tree)];
}

/** The app's process for this data folder. */
function appPid(dir) {
  for (const p of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const args = readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").filter(Boolean);
      if (!args.length || !basename(args[0]).startsWith("doppelwatch-desktop")) continue;
      const env = readFileSync(`/proc/${p}/environ`, "utf8").split("\0");
      if (env.includes(`DOPPELWATCH_DATA_DIR=${dir}`)) return Number(p);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

function pssKb(pid) {
  let total = 0;
  const names = [];
  for (const p of tree(pid)) {
    try {
      const m = /^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, "utf8"));
      total += m ? Number(m[1]) : 0;
      names.push(basename(readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0")[0]));
    } catch {
      // gone meanwhile
    }
  }
  return { kb: total, processes: names };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : null;
};

// In the page: from a hash change to the first frame after the list (rows, or the line saying
// there are none) is in the page. Resolves with the milliseconds.
const OPEN = `
  const done = arguments[arguments.length - 1];
  const listed = () => document.querySelector(".inbox-body li.alert-row, .inbox-body .empty, main p:not(.hint)");
  const t0 = performance.now();
  location.hash = "#/alerts";
  const poll = () => {
    if (location.hash.startsWith("#/alerts") && listed() && document.querySelector("#inbox-title")) {
      requestAnimationFrame(() => done(performance.now() - t0));
    } else requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
`;

// In the page: sets the filter select arguments[0] to arguments[1] and resolves with the
// milliseconds from the change event to the first frame after the list updated. A list that
// asks Rust for the filtered rows says which filters it shows ("data-shown" on .inbox-body,
// the hash): the time runs until it shows these; one filtered in the page (earlier builds,
// no such attribute) is updated by the change event itself, measured to the second frame.
const FILTER = `
  const [id, value, done] = arguments;
  const el = document.getElementById(id);
  if (!el) return done(-1);
  el.value = value;
  const body = () => document.querySelector(".inbox-body");
  const asks = body()?.hasAttribute("data-shown");
  const t0 = performance.now();
  el.dispatchEvent(new Event("change", { bubbles: true }));
  const want = location.hash;
  if (!asks) return requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));
  const poll = () => {
    if (body()?.dataset.shown === want) requestAnimationFrame(() => done(performance.now() - t0));
    else requestAnimationFrame(poll);
  };
  poll();
`;

async function measure(label, dir) {
  const driverProcess = spawn("tauri-driver", ["--port", String(PORT), "--native-port", String(PORT + 1)], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DOPPELWATCH_DATA_DIR: dir },
  });
  let driver;
  try {
    await waitForPort(PORT, 15_000);
    driver = await new Builder()
      .usingServer(`http://127.0.0.1:${PORT}/`)
      .withCapabilities({ browserName: "wry", "tauri:options": { application: BIN, args: [] } })
      .build();
    await driver.manage().setTimeouts({ script: STEP, pageLoad: STEP });
    await driver.wait(async () => (await driver.executeScript("return !!document.querySelector('nav, main')")), STEP);
    // The list's command alone (store, IPC and JSON), from the page: the first page of the
    // whole list (earlier builds take no arguments and send every alert).
    const ipc = await driver.executeAsyncScript(`
      const done = arguments[arguments.length - 1];
      const t0 = performance.now();
      const query = { person: null, platform: null, state: null, verdict: null };
      window.__TAURI_INTERNALS__.invoke("list_alerts", { query, offset: 0, limit: 100 }).then(
        (r) => done([performance.now() - t0, Array.isArray(r) ? r.length : r.rows.length]),
        (e) => done([-1, String(e)]),
      );
    `);
    const open = [];
    for (let i = 0; i < RUNS; i++) {
      await driver.executeScript("location.hash = '#/';");
      await driver.wait(async () => !(await driver.executeScript("return !!document.querySelector('#inbox-title')")), STEP);
      open.push(await driver.executeAsyncScript(OPEN));
    }
    const rows = await driver.executeScript("return document.querySelectorAll('.inbox-body li.alert-row').length");
    const filters = [
      ["filter-state", "seen"],
      ["filter-person", "2"],
      ["filter-platform", "x"],
      ["filter-verdict", "suspicious"],
    ];
    const filter = [];
    for (let i = 0; i < Math.max(1, Math.ceil(RUNS / 2)); i++) {
      for (const [id, value] of filters) {
        const set = await driver.executeAsyncScript(FILTER, id, value);
        const reset = await driver.executeAsyncScript(FILTER, id, "");
        if (set >= 0) filter.push(set, reset);
      }
    }
    const total = await driver.executeScript("return document.querySelectorAll('.inbox-body li.alert-row').length");
    // Let the pictures of the first rows arrive and the page settle before reading memory.
    await new Promise((r) => setTimeout(r, 3000));
    const pid = appPid(dir);
    const mem = pid ? pssKb(pid) : { kb: null, processes: [] };
    console.log(
      JSON.stringify({
        alerts: Number(label),
        list_alerts_ipc_ms: Math.round(ipc[0]),
        list_alerts_ipc_rows: ipc[1],
        open_ms: open.map((x) => Math.round(x)),
        open_median_ms: Math.round(median(open)),
        filter_ms: filter.map((x) => Math.round(x)),
        filter_median_ms: Math.round(median(filter)),
        rows_in_page_after_open: rows,
        rows_in_page_after_filters: total,
        window_pss_mb: mem.kb === null ? null : Math.round(mem.kb / 1024),
        processes: mem.processes,
      }),
    );
  } finally {
    if (driver) await Promise.race([driver.quit().catch(() => {}), new Promise((r) => setTimeout(r, 15_000))]);
    const pid = appPid(dir);
    if (pid) process.kill(pid, "SIGTERM");
    driverProcess.kill("SIGTERM");
    await new Promise((r) => driverProcess.once("exit", r));
  }
}

if (!BIN) {
  console.error("DOPPELWATCH_DESKTOP_BIN must name the built app");
  process.exit(2);
}
for (const entry of (process.env.BENCH_DIRS ?? "").split(",").filter(Boolean)) {
  const at = entry.indexOf("=");
  await measure(entry.slice(0, at), entry.slice(at + 1));
}
