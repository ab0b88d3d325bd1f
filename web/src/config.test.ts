import { describe, expect, it } from "vitest";
import { DEFAULT_GATEWAY_URL, DEFAULT_PAGE_SIZE, gatewayUrlFrom, pageSizeFrom } from "./config";

describe("config", () => {
  it("defaults the gateway URL and drops a trailing slash", () => {
    expect(gatewayUrlFrom(undefined)).toBe(DEFAULT_GATEWAY_URL);
    expect(gatewayUrlFrom("  ")).toBe(DEFAULT_GATEWAY_URL);
    expect(gatewayUrlFrom("https://api.example.com/")).toBe("https://api.example.com");
  });

  it("takes a page size from 1 to 100, else the default", () => {
    expect(pageSizeFrom("5")).toBe(5);
    expect(pageSizeFrom(undefined)).toBe(DEFAULT_PAGE_SIZE);
    expect(pageSizeFrom("0")).toBe(DEFAULT_PAGE_SIZE);
    expect(pageSizeFrom("101")).toBe(DEFAULT_PAGE_SIZE);
    expect(pageSizeFrom("2.5")).toBe(DEFAULT_PAGE_SIZE);
  });
});
