// Hash routes: #/onboarding, #/dashboard, #/alerts, #/alerts/3, #/alerts/3/report,
// #/worth-a-look (the quiet list of suspicious alerts), #/settings.

export type Route =
  | { name: "onboarding" }
  | { name: "dashboard" }
  | { name: "alerts" }
  | { name: "worth-a-look" }
  | { name: "alert"; id: number }
  | { name: "report"; id: number }
  | { name: "settings" };

/** Parses a location hash; anything unknown is the dashboard. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  const [first, second, third] = parts;
  if (first === "onboarding") return { name: "onboarding" };
  if (first === "settings") return { name: "settings" };
  if (first === "worth-a-look") return { name: "worth-a-look" };
  if (first === "alerts") {
    if (second === undefined) return { name: "alerts" };
    const id = Number(second);
    if (Number.isInteger(id) && id >= 0) return third === "report" ? { name: "report", id } : { name: "alert", id };
    return { name: "alerts" };
  }
  return { name: "dashboard" };
}
