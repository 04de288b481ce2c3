// The layout (header, navigation, main region) and the hash router.

import { api, errorMessage, events } from "./api";
import type { OpenAlerts } from "./bindings/OpenAlerts";
import { h, replace } from "./dom";
import { parseRoute, type Route } from "./router";
import { alertView } from "./views/alert";
import { dashboardView } from "./views/dashboard";
import { inboxView } from "./views/inbox";
import { onboardingView } from "./views/onboarding";
import { peopleView } from "./views/people";
import { reportView } from "./views/report";
import { settingsView } from "./views/settings";
import { waveView } from "./views/wave";
import { formsView } from "./views/forms";

/** Navigates to a route (`#/alerts/3`). */
export function go(hash: string): void {
  if (location.hash === hash) void render();
  else location.hash = hash;
}

let root: HTMLElement;
let main: HTMLElement;
let alertsBadge: HTMLElement;
let worthBadge: HTMLElement;
let banner: HTMLElement;
let hasIdentity = false;
/** The route shown, so live updates re-render only the views that list live data. */
let current: Route["name"] = "onboarding";

/** Renders the layout into `el` and starts routing. */
export async function startApp(el: HTMLElement): Promise<void> {
  root = el;
  alertsBadge = h("span", { class: "badge", attrs: { "aria-label": "open impostor alerts" } }, "0");
  worthBadge = h("span", { class: "badge quiet", attrs: { "aria-label": "accounts worth a look" } }, "0");
  banner = h("div", { class: "banner", attrs: { role: "status" } });
  const nav = h(
    "nav",
    { attrs: { "aria-label": "Main" } },
    h("a", { attrs: { href: "#/dashboard" } }, "Dashboard"),
    h("a", { attrs: { href: "#/alerts" } }, "Alerts ", alertsBadge),
    h("a", { attrs: { href: "#/worth-a-look" } }, "Worth a look ", worthBadge),
    h("a", { attrs: { href: "#/people" } }, "People"),
    h("a", { attrs: { href: "#/settings" } }, "Settings"),
  );
  main = h("main", { id: "main", attrs: { tabindex: "-1" } });
  replace(root, h("header", null, h("h1", { class: "brand" }, "Doppelwatch"), nav), banner, main);
  window.addEventListener("hashchange", () => void render());
  await events
    .onAlertsChanged((n) => {
      setOpenAlerts(n);
      if (current === "alerts" || current === "worth-a-look" || current === "dashboard") void render(true);
    })
    .catch(() => undefined);
  await events.onStatusChanged(() => current === "dashboard" && void render(true)).catch(() => undefined);
  await events.onOpenAlert((id) => go(`#/alerts/${id}`)).catch(() => undefined);
  await events.onOpenInbox(() => go("#/alerts")).catch(() => undefined);
  await events.onOpenWorthALook(() => go("#/worth-a-look")).catch(() => undefined);
  await events.onOpenWave((id) => go(`#/waves/${id}`)).catch(() => undefined);
  try {
    const info = await api.appInfo();
    hasIdentity = info.has_identity;
    setOpenAlerts(info.open_alerts);
    if (info.demo) {
      replace(banner, "Demo mode: watching bundled fake platforms. A namesake appears first (listed under Worth a look, with no notification), then impostors every few seconds. Try the name Palmer Report with the Bluesky handle palmerreport.bsky.social (its profile has a picture to take).");
      banner.classList.add("demo");
    }
  } catch (e) {
    replace(banner, `The app could not start: ${errorMessage(e)}`);
  }
  await render();
}

/** Updates the alert counts in the navigation: impostors, and the quiet worth-a-look list. */
export function setOpenAlerts(open: OpenAlerts): void {
  const n = open.impostors;
  alertsBadge.textContent = String(n);
  alertsBadge.setAttribute("aria-label", n === 1 ? "1 open impostor alert" : `${n} open impostor alerts`);
  worthBadge.textContent = String(open.worth_a_look);
  worthBadge.setAttribute("aria-label", open.worth_a_look === 1 ? "1 account worth a look" : `${open.worth_a_look} accounts worth a look`);
}

/** Marks onboarding as done (used by the onboarding view). */
export function identityRegistered(): void {
  hasIdentity = true;
}

/** Renders the current route; `refresh` re-renders in place (live data) without moving focus. */
async function render(refresh = false): Promise<void> {
  let route: Route = parseRoute(location.hash);
  if (!hasIdentity && route.name !== "onboarding" && route.name !== "settings") route = { name: "onboarding" };
  if (refresh && main.contains(document.activeElement) && document.activeElement !== main) return;
  current = route.name;
  const view = await viewFor(route);
  replace(main, view);
  if (refresh) return;
  for (const a of root.querySelectorAll("nav a")) {
    const current = route.name !== "onboarding" && a.getAttribute("href")?.startsWith(`#/${route.name.split("-")[0]}`);
    if (current) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const heading = main.querySelector("h2");
  if (heading) document.title = `${heading.textContent} · Doppelwatch`;
  main.focus({ preventScroll: true });
}

async function viewFor(route: Route): Promise<HTMLElement> {
  switch (route.name) {
    case "onboarding":
      return onboardingView();
    case "dashboard":
      return dashboardView();
    case "alerts":
      return inboxView();
    case "worth-a-look":
      return inboxView("worth-a-look");
    case "alert":
      return alertView(route.id);
    case "report":
      return reportView(route.id);
    case "settings":
      return settingsView();
    case "people":
      return peopleView();
    case "wave":
      return waveView(route.id);
    case "forms":
      return formsView(route.ids);
  }
}
