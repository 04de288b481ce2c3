import { describe, expect, it } from "vitest";
import { parseRoute } from "./router";

describe("router", () => {
  it("reads the worth-a-look list (what the daily digest opens) beside the other routes", () => {
    expect(parseRoute("#/worth-a-look")).toEqual({ name: "worth-a-look" });
    expect(parseRoute("#/alerts")).toEqual({ name: "alerts" });
    expect(parseRoute("#/alerts/3")).toEqual({ name: "alert", id: 3 });
    expect(parseRoute("#/worth-a-look-or-not")).toEqual({ name: "dashboard" });
  });
});
