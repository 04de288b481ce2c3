import { describe, expect, it } from "vitest";
import { hashQuery, parseRoute } from "./router";

describe("router", () => {
  it("reads the worth-a-look list (what the daily digest opens) beside the other routes", () => {
    expect(parseRoute("#/worth-a-look")).toEqual({ name: "worth-a-look" });
    expect(parseRoute("#/alerts")).toEqual({ name: "alerts" });
    expect(parseRoute("#/alerts/3")).toEqual({ name: "alert", id: 3 });
    expect(parseRoute("#/worth-a-look-or-not")).toEqual({ name: "dashboard" });
  });

  it("reads people, waves and the alert list's filters", () => {
    expect(parseRoute("#/people")).toEqual({ name: "people" });
    expect(parseRoute("#/waves/4")).toEqual({ name: "wave", id: 4 });
    expect(parseRoute("#/waves/x")).toEqual({ name: "alerts" });
    expect(parseRoute("#/forms/3,5,8")).toEqual({ name: "forms", ids: [3, 5, 8] });
    expect(parseRoute("#/forms/3,x")).toEqual({ name: "alerts" });
    expect(parseRoute("#/forms/")).toEqual({ name: "alerts" });
    expect(parseRoute(`#/forms/${Array.from({ length: 501 }, (_, i) => i).join(",")}`)).toEqual({ name: "alerts" });
    expect(parseRoute("#/alerts?person=2&state=new")).toEqual({ name: "alerts" });
    expect(parseRoute("#/worth-a-look?platform=x")).toEqual({ name: "worth-a-look" });
    const q = hashQuery("#/alerts?person=2&state=new");
    expect(q.get("person")).toBe("2");
    expect(q.get("state")).toBe("new");
    expect(hashQuery("#/alerts").toString()).toBe("");
  });
});
