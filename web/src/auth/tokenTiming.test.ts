import { describe, expect, it } from "vitest";
import {
  MIN_REFRESH_DELAY_MS,
  isDueForRefresh,
  jwtIssuedAtMs,
  localExpiryMs,
  refreshDelayMs,
  refreshMarginMs,
} from "./tokenTiming";

const MINUTE = 60_000;

function jwt(claims: object): string {
  const part = (value: object) =>
    btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${part({ alg: "ES256", kid: "k1" })}.${part(claims)}.signature`;
}

describe("refreshDelayMs", () => {
  it("refreshes a 5-minute token 30 s before it expires", () => {
    const now = 1_000_000;
    const times = { expireMs: now + 5 * MINUTE, receivedMs: now };
    expect(refreshMarginMs(times)).toBe(30_000);
    expect(refreshDelayMs(times, now)).toBe(5 * MINUTE - 30_000);
  });

  it("uses a fifth of the lifetime for short-lived tokens", () => {
    const now = 0;
    const times = { expireMs: 10_000, receivedMs: now };
    expect(refreshDelayMs(times, now)).toBe(8_000);
  });

  it("counts the remaining time from now", () => {
    const times = { expireMs: 5 * MINUTE, receivedMs: 0 };
    expect(refreshDelayMs(times, 2 * MINUTE)).toBe(3 * MINUTE - 30_000);
  });

  it("never schedules sooner than the minimum, even for an expired token", () => {
    const times = { expireMs: 1_000, receivedMs: 0 };
    expect(refreshDelayMs(times, 60_000)).toBe(MIN_REFRESH_DELAY_MS);
  });

  it("caps the delay at what setTimeout can wait", () => {
    const times = { expireMs: 365 * 24 * 60 * MINUTE, receivedMs: 0 };
    expect(refreshDelayMs(times, 0)).toBe(2 ** 31 - 1);
  });

  it("ignores the browser's clock skew when the token's iat is known", () => {
    // server clock one hour ahead of ours: expiry looks an hour away...
    const serverNow = 10 * 60 * MINUTE;
    const localNow = serverNow - 60 * MINUTE;
    const times = { expireMs: serverNow + 5 * MINUTE, issuedMs: serverNow, receivedMs: localNow };
    // ...but the token lives five minutes from when it arrived
    expect(localExpiryMs(times)).toBe(localNow + 5 * MINUTE);
    expect(refreshDelayMs(times, localNow)).toBe(5 * MINUTE - 30_000);
  });

  it("falls back to the server's expiry when iat is after it (nonsense)", () => {
    const times = { expireMs: 5 * MINUTE, issuedMs: 6 * MINUTE, receivedMs: 0 };
    expect(localExpiryMs(times)).toBe(5 * MINUTE);
  });
});

describe("isDueForRefresh", () => {
  const times = { expireMs: 5 * MINUTE, receivedMs: 0 };
  it("is false while the token is fresh", () => {
    expect(isDueForRefresh(times, 4 * MINUTE)).toBe(false);
  });
  it("is true within the margin and after expiry (late timers)", () => {
    expect(isDueForRefresh(times, 5 * MINUTE - 10_000)).toBe(true);
    expect(isDueForRefresh(times, 6 * MINUTE)).toBe(true);
  });
});

describe("jwtIssuedAtMs", () => {
  it("reads iat from a JWT payload", () => {
    expect(jwtIssuedAtMs(jwt({ sub: "u1", iat: 1_700_000_000, exp: 1_700_000_300 }))).toBe(1_700_000_000_000);
  });
  it("handles base64url characters", () => {
    expect(jwtIssuedAtMs(jwt({ sub: "ü?>>~~", iat: 42 }))).toBe(42_000);
  });
  it("returns undefined for anything else", () => {
    expect(jwtIssuedAtMs("opaque-token")).toBeUndefined();
    expect(jwtIssuedAtMs("a.!!!.c")).toBeUndefined();
    expect(jwtIssuedAtMs(jwt({ sub: "no iat" }))).toBeUndefined();
    expect(jwtIssuedAtMs(jwt({ iat: "soon" }))).toBeUndefined();
  });
});
