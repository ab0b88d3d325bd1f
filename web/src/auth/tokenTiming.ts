/**
 * When to refresh an access token: a little before it expires.
 *
 * The server states the expiry by its own clock (access_token_expire_time),
 * and the browser's clock may be off. When the token's `iat` claim can be
 * read, the lifetime (expire - iat, both server times) is counted from the
 * moment the token arrived, which makes the schedule immune to clock skew.
 */
import { jwtPayload } from "./jwtClaims";

/** Refresh this long before expiry, at most... */
export const REFRESH_MARGIN_MS = 30_000;
/** ...and at most this share of the token's lifetime (short-lived tokens). */
export const REFRESH_MARGIN_SHARE = 0.2;
/** Never schedule sooner than this, so a bad clock can't cause a refresh loop. */
export const MIN_REFRESH_DELAY_MS = 1_000;
/** The longest delay setTimeout can wait. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface TokenTimes {
  /** access_token_expire_time in ms, by the server's clock. */
  expireMs: number;
  /** The token's `iat` in ms, by the server's clock, if it could be read. */
  issuedMs?: number;
  /** When the token arrived, in ms by this browser's clock. */
  receivedMs: number;
}

/** When the token expires, by this browser's clock. */
export function localExpiryMs(times: TokenTimes): number {
  const { expireMs, issuedMs, receivedMs } = times;
  if (issuedMs !== undefined && issuedMs <= expireMs) {
    return receivedMs + (expireMs - issuedMs);
  }
  return expireMs;
}

/** How long before expiry to refresh: 30 s, or a fifth of a shorter lifetime. */
export function refreshMarginMs(times: TokenTimes): number {
  const lifetime = Math.max(0, localExpiryMs(times) - times.receivedMs);
  return Math.min(REFRESH_MARGIN_MS, lifetime * REFRESH_MARGIN_SHARE);
}

/** Milliseconds from `nowMs` until the token should be refreshed. */
export function refreshDelayMs(times: TokenTimes, nowMs: number): number {
  const due = localExpiryMs(times) - refreshMarginMs(times);
  return Math.min(MAX_TIMER_MS, Math.max(MIN_REFRESH_DELAY_MS, due - nowMs));
}

/** True once the token is due for a refresh (timers can be late in background tabs). */
export function isDueForRefresh(times: TokenTimes, nowMs: number): boolean {
  return nowMs >= localExpiryMs(times) - refreshMarginMs(times);
}

/** The `iat` claim of a JWT in ms, or undefined if the token can't be read. */
export function jwtIssuedAtMs(token: string): number | undefined {
  const iat = jwtPayload(token)?.iat;
  return typeof iat === "number" && Number.isFinite(iat) ? iat * 1000 : undefined;
}
