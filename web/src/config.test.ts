import { describe, expect, it } from "vitest";
import { DEFAULT_GATEWAY_URL, gatewayUrlFrom } from "./config";

describe("config", () => {
  it("defaults the gateway URL and drops a trailing slash", () => {
    expect(gatewayUrlFrom(undefined)).toBe(DEFAULT_GATEWAY_URL);
    expect(gatewayUrlFrom("  ")).toBe(DEFAULT_GATEWAY_URL);
    expect(gatewayUrlFrom("https://api.example.com/")).toBe("https://api.example.com");
  });
});
