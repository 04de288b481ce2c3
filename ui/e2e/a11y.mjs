// Accessibility checks for the end-to-end test (issue 12): axe-core, injected through WebDriver,
// run on each screen the test shows; and a keyboard walk (Tab through the screen: every control
// is reached, and shows where the focus is).
//
// The app's CSP forbids inline script, and nothing here loosens it: WebDriver's Execute Script
// is evaluated by the automation (WebKit's automation session calls the function in the page),
// not by adding a <script> element, so the CSP's script-src does not apply to it. The e2e test
// checks separately that a <script> element added by hand does not run.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import assert from "node:assert/strict";
import { Key } from "selenium-webdriver";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
export const AXE_VERSION = JSON.parse(readFileSync(require.resolve("axe-core/package.json"), "utf8")).version;

/** Impacts that fail the check. */
const BLOCKING = new Set(["serious", "critical"]);

/** What each screen's check found, in the order checked. */
const results = [];

/** Runs axe-core on the page as it is now; fails on any serious or critical violation. */
export async function checkA11y(driver, screen) {
  const loaded = await driver.executeScript("return typeof window.axe === 'object' ? window.axe.version : null");
  if (loaded !== AXE_VERSION) {
    // Evaluated by the automation as a function body: the UMD bundle sets window.axe.
    const version = await driver.executeScript(`${AXE_SOURCE}\n;return window.axe.version;`);
    assert.equal(version, AXE_VERSION, "axe-core was injected into the page");
  }
  const r = await driver.executeAsyncScript(`
    const done = arguments[arguments.length - 1];
    // Every rule axe-core runs by default, and WCAG 2.2's target size (off by default).
    window.axe.run(document, { resultTypes: ["violations"], rules: { "target-size": { enabled: true } } }).then(
      (r) => done({
        engine: r.testEngine.version,
        passes: r.passes.map((x) => x.id),
        incomplete: r.incomplete.map((x) => ({
          id: x.id, impact: x.impact,
          nodes: x.nodes.slice(0, 3).map((n) => n.target.join(" ") + ": " + ((n.any[0] || n.all[0] || n.none[0] || {}).message || "")),
        })),
        inapplicable: r.inapplicable.map((x) => x.id),
        violations: r.violations.map((v) => ({
          id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), html: n.html.slice(0, 160), summary: n.failureSummary })),
        })),
      }),
      (e) => done({ error: String((e && e.stack) || e) }),
    );`);
  assert.ok(!r.error, `axe-core failed on ${screen}: ${r.error}`);
  // A rule can pass on some elements and need review (or fail) on others: count each once.
  const applied = new Set([...r.passes, ...r.violations.map((v) => v.id), ...r.incomplete.map((x) => x.id)]);
  const ranIds = new Set([...applied, ...r.inapplicable]);
  const ran = ranIds.size;
  // The view (route) the screen belongs to: `#/alerts/12/report` is `alerts/:id/report`.
  const view = (await driver.executeScript("return location.hash")).replace(/^#\/?/, "").split("?")[0].replace(/\d+/g, ":id") || "onboarding";
  results.push({ screen, view, ran, ranIds, applied, violations: r.violations });
  const blocking = r.violations.filter((v) => BLOCKING.has(v.impact));
  console.log(
    `a11y ${screen} (#/${view}): axe-core ${r.engine} ran ${ran} rules, ${applied.size} applied here (${r.passes.length} passed, ` +
      `${r.incomplete.length} to review by hand, ${r.violations.length} violated; serious or critical: ${blocking.length})`,
  );
  console.log(`a11y ${screen}: rules applied: ${[...applied].sort().join(" ")}`);
  for (const v of r.violations) console.log(`a11y ${screen}: ${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target).join(", ")}`);
  for (const x of r.incomplete) console.log(`a11y ${screen}: to review by hand (${x.impact ?? "no impact"}): ${x.id} at ${x.nodes.join("; ")}`);
  assert.deepEqual(
    blocking.map((v) => ({ rule: v.id, impact: v.impact, help: v.help, nodes: v.nodes })),
    [],
    `serious or critical accessibility violations on ${screen}`,
  );
}

/** Lines for the report: "N rules checked on M screens, 0 serious/critical", and the rules. */
export function a11ySummary() {
  if (results.length === 0) return ["a11y: no screen was checked"];
  const ranIds = new Set(results.flatMap((r) => [...r.ranIds]));
  const ran = ranIds.size;
  const applied = new Set(results.flatMap((r) => [...r.applied]));
  const blocking = results.flatMap((r) => r.violations.filter((v) => BLOCKING.has(v.impact)));
  const minor = results.flatMap((r) => r.violations.filter((v) => !BLOCKING.has(v.impact)));
  const screens = [...new Set(results.map((r) => r.screen))];
  const views = [...new Set(results.map((r) => r.view))];
  return [
    `a11y summary: axe-core ${AXE_VERSION}: ${ran} rules checked on ${screens.length} screens ` +
      `(${views.length} views: ${views.map((v) => `#/${v}`).join(" ")}; ${applied.size} rules applied to at least one), ` +
      `${blocking.length} serious/critical, ${minor.length} minor/moderate violations; screens: ${screens.join("; ")}`,
    `a11y rules checked: ${[...ranIds].sort().join(" ")}`,
  ];
}

/**
 * Tabs through the page from its start: every control that takes the focus (links, buttons,
 * fields, summaries; not those taken out of the tab order on purpose, such as the alert rows'
 * tick boxes that space ticks) is reached, and each shows a focus ring of its own or its
 * row's (an outline at least 2px wide), or, for a visually hidden file field, its label's.
 * The Tab presses go in one action chain; the page logs where the focus went at each Tab's
 * key-up (not on focus events: the parts of a time field are in the engine's own shadow tree,
 * whose focus events never reach the document).
 */
export async function keyboardWalk(driver, screen) {
  const controls = await driver.executeScript(`
    const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
    const all = [...document.querySelectorAll("a[href], button, input, select, textarea, summary, [tabindex]")];
    all.forEach((el, n) => (el.dataset.kw = "k" + n));
    const ring = (e) => {
      if (!e) return false;
      const s = getComputedStyle(e);
      return (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) || (s.boxShadow !== "" && s.boxShadow !== "none");
    };
    window.__focusLog = [];
    window.__onTab && window.removeEventListener("keyup", window.__onTab, true);
    window.__onTab = (ev) => {
      const el = document.activeElement;
      if (ev.key !== "Tab" || !el || el === document.body) return;
      const row = el.closest("li, .tile");
      const label = el.id ? document.querySelector('label[for="' + CSS.escape(el.id) + '"]') : null;
      const hidden = el.getBoundingClientRect().width < 4;
      window.__focusLog.push({ kw: el.dataset.kw || null, what: el.outerHTML.slice(0, 120),
        ring: (!hidden && ring(el)) || (hidden && ring(label)) || (row !== null && ring(row)) });
    };
    window.addEventListener("keyup", window.__onTab, true);
    document.activeElement && document.activeElement.blur();
    window.scrollTo(0, 0);
    return all
      .filter((el) => !el.disabled && el.tabIndex >= 0 && !el.closest("[hidden], [inert]") && visible(el))
      .map((el) => ({ kw: el.dataset.kw, what: el.outerHTML.slice(0, 120) }));`);
  let chain = driver.actions();
  // Twice as many presses as controls: a time field takes one per part (hours, minutes); past
  // the last control the focus leaves the page or starts again from the top.
  for (let i = 0; i < controls.length * 2 + 4; i++) chain = chain.sendKeys(Key.TAB);
  await chain.perform();
  const log = await driver.executeScript(`
    window.removeEventListener("keyup", window.__onTab, true);
    document.activeElement && document.activeElement.blur();
    return window.__focusLog;`);
  const reached = new Map(log.map((f) => [f.kw, f]));
  const missed = controls.filter((c) => !reached.has(c.kw)).map((c) => c.what);
  const unseen = controls.filter((c) => reached.has(c.kw) && !reached.get(c.kw).ring).map((c) => c.what);
  console.log(`keyboard ${screen}: ${controls.length} controls in the tab order, ${controls.length - missed.length} reached with Tab, ${unseen.length} without a visible focus`);
  assert.deepEqual(missed, [], `controls on ${screen} that Tab never reaches`);
  assert.deepEqual(unseen, [], `controls on ${screen} whose focus does not show`);
}
