// Hash routes: #/onboarding, #/dashboard, #/alerts, #/alerts/3, #/alerts/3/report,
// #/worth-a-look (the quiet list of suspicious alerts), #/people, #/waves/4, #/settings,
// #/forms/3,5,8 (reporting those alerts through their platforms' web forms in turn). The
// alert lists keep their filters in a query after the path (`#/alerts?person=2&state=new`).

export type Route =
  | { name: "onboarding" }
  | { name: "dashboard" }
  | { name: "alerts" }
  | { name: "worth-a-look" }
  | { name: "alert"; id: number }
  | { name: "report"; id: number }
  | { name: "settings" }
  | { name: "people" }
  | { name: "wave"; id: number }
  | { name: "forms"; ids: number[] };

/** At most this many alerts in one walk through forms (a hash stays short). */
export const MAX_FORMS = 500;

/** Parses a location hash; anything unknown is the dashboard. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("?")[0].split("/").filter(Boolean);
  const [first, second, third] = parts;
  if (first === "onboarding") return { name: "onboarding" };
  if (first === "settings") return { name: "settings" };
  if (first === "worth-a-look") return { name: "worth-a-look" };
  if (first === "people") return { name: "people" };
  if (first === "waves") {
    const id = Number(second);
    return second !== undefined && Number.isInteger(id) && id >= 0 ? { name: "wave", id } : { name: "alerts" };
  }
  if (first === "forms") {
    const ids = (second ?? "").split(",").map(Number);
    const ok = ids.length > 0 && ids.length <= MAX_FORMS && ids.every((id) => Number.isInteger(id) && id >= 0);
    return ok && second ? { name: "forms", ids } : { name: "alerts" };
  }
  if (first === "alerts") {
    if (second === undefined) return { name: "alerts" };
    const id = Number(second);
    if (Number.isInteger(id) && id >= 0) return third === "report" ? { name: "report", id } : { name: "alert", id };
    return { name: "alerts" };
  }
  return { name: "dashboard" };
}

/** The query of a hash (`#/alerts?state=new` → `state=new`), as parameters. */
export function hashQuery(hash: string): URLSearchParams {
  const at = hash.indexOf("?");
  return new URLSearchParams(at < 0 ? "" : hash.slice(at + 1));
}
