/**
 * The signed-in session: access token in memory, refresh token in a store.
 *
 * - start(session) after Login or SignUp; restore() on page load trades the
 *   stored refresh token for new tokens (or ends up signed out).
 * - The access token is refreshed shortly before it expires (a timer, and a
 *   check before each call in case the timer ran late), and once more when a
 *   call is rejected as UNAUTHENTICATED (tokenRejected).
 * - Refreshes never overlap: one in flight at a time in this tab, and a Web
 *   Lock across tabs, always with the newest stored refresh token.
 * - logOut() forgets everything at once, then ends the session on the server.
 */
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Session } from "../gen/chorus/auth/v1/auth_service_pb";
import { runExclusive } from "./exclusive";
import type { RefreshTokenStore } from "./refreshTokenStore";
import type { TokenTimes } from "./tokenTiming";
import { isDueForRefresh, jwtIssuedAtMs, refreshDelayMs } from "./tokenTiming";

export type SessionState =
  { status: "restoring" } | { status: "signedOut"; notice?: string } | { status: "signedIn" };

/** The AuthService calls the session needs (no access token involved). */
export interface SessionApi {
  refresh(refreshToken: string): Promise<Session>;
  logout(refreshToken: string): Promise<void>;
}

export const SESSION_ENDED = "Your session has ended. Please log in again.";
export const LOGGED_OUT_ELSEWHERE = "You logged out in another tab.";
export const RESUME_FAILED =
  "Your session could not be resumed because the server can't be reached. Try again later, or log in.";
/** After a refresh failed for a passing reason (network), try again this soon. */
export const RETRY_DELAY_MS = 15_000;
const LOCK_NAME = "chorus.session.refresh";

/** Codes by which the server refuses a refresh token for good. */
const REJECTED = new Set([
  Code.Unauthenticated,
  Code.InvalidArgument,
  Code.NotFound,
  Code.PermissionDenied,
  Code.FailedPrecondition,
]);

class NoStoredSession extends Error {}

interface AccessToken {
  token: string;
  times: TokenTimes;
}

type Exclusive = <T>(name: string, task: () => Promise<T>) => Promise<T>;

export class SessionManager {
  #state: SessionState = { status: "restoring" };
  #access: AccessToken | null = null;
  #refreshing: Promise<string | null> | null = null;
  #restoring: Promise<void> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped whenever a session starts or ends: late refresh results are dropped. */
  #generation = 0;
  readonly #listeners = new Set<() => void>();
  readonly #unsubscribeStore: () => void;

  constructor(
    private readonly api: SessionApi,
    private readonly store: RefreshTokenStore,
    private readonly exclusive: Exclusive = runExclusive,
  ) {
    this.#unsubscribeStore = store.subscribe((token) => this.#storeChanged(token));
  }

  getState = (): SessionState => this.#state;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** Begin a session from Login or SignUp. */
  start(session: Session): void {
    this.#generation += 1;
    this.#refreshing = null;
    this.store.write(session.refreshToken);
    this.#accept(session);
  }

  /** On page load: resume the stored session, if there is one. Safe to call twice. */
  restore(): Promise<void> {
    this.#restoring ??= this.#restore();
    return this.#restoring;
  }

  async #restore(): Promise<void> {
    if (!this.store.read()) {
      this.#setState({ status: "signedOut" });
      return;
    }
    try {
      await this.refresh();
    } catch {
      // network trouble: keep the stored token for a later attempt
      this.#restoring = null;
      this.#setState({ status: "signedOut", notice: RESUME_FAILED });
    }
  }

  /**
   * New tokens for the stored refresh token. Resolves to the new access token,
   * or null when the session is over (the state is then signedOut); rejects
   * when the server could not be asked (the session goes on).
   */
  refresh(): Promise<string | null> {
    if (!this.#refreshing) {
      const refreshing = this.#refresh(this.#generation);
      this.#refreshing = refreshing;
      const done = () => {
        if (this.#refreshing === refreshing) this.#refreshing = null;
      };
      refreshing.then(done, done);
    }
    return this.#refreshing;
  }

  async #refresh(generation: number): Promise<string | null> {
    let session: Session;
    try {
      session = await this.exclusive(LOCK_NAME, async () => {
        const refreshToken = this.store.read();
        if (!refreshToken || generation !== this.#generation) throw new NoStoredSession();
        const fresh = await this.api.refresh(refreshToken);
        if (generation === this.#generation) {
          this.store.write(fresh.refreshToken);
        } else {
          void this.api.logout(fresh.refreshToken).catch(() => {}); // logged out meanwhile
        }
        return fresh;
      });
    } catch (err) {
      if (generation !== this.#generation) return null;
      if (err instanceof NoStoredSession || REJECTED.has(ConnectError.from(err).code)) {
        this.#end(SESSION_ENDED);
        return null;
      }
      if (this.#state.status === "signedIn") this.#schedule(RETRY_DELAY_MS);
      throw err;
    }
    if (generation !== this.#generation) return null;
    this.#accept(session);
    return session.accessToken;
  }

  /** The access token for a call, refreshed first if it is (about to be) stale. */
  async accessToken(): Promise<string | null> {
    if (this.#refreshing) await this.#refreshing.catch(() => null);
    const access = this.#access;
    if (access && isDueForRefresh(access.times, Date.now())) {
      try {
        return await this.refresh();
      } catch {
        return access.token; // can't refresh now: the old one may still do
      }
    }
    return access?.token ?? null;
  }

  /**
   * A call with `token` came back UNAUTHENTICATED: refresh once (unless
   * another call already did) and return the token to retry with, or null.
   */
  async tokenRejected(token: string): Promise<string | null> {
    const current = this.#access?.token;
    if (current && current !== token) return current;
    return this.refresh();
  }

  /** Forget the session here at once, then end it on the server. */
  async logOut(): Promise<void> {
    const refreshToken = this.store.read();
    this.#end(undefined);
    if (refreshToken) {
      try {
        await this.api.logout(refreshToken);
      } catch {
        // already forgotten here; the server lets it expire
      }
    }
  }

  /** Stop timers and listeners (tests, hot reload). */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#unsubscribeStore();
    this.#listeners.clear();
  }

  #accept(session: Session): void {
    const now = Date.now();
    const expire = session.accessTokenExpireTime;
    const times: TokenTimes = {
      expireMs: expire ? timestampMs(expire) : now,
      issuedMs: jwtIssuedAtMs(session.accessToken),
      receivedMs: now,
    };
    this.#access = { token: session.accessToken, times };
    this.#schedule(refreshDelayMs(times, now));
    if (this.#state.status !== "signedIn") this.#setState({ status: "signedIn" });
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.refresh().catch(() => {}); // a failed refresh schedules its own retry
    }, delayMs);
  }

  #end(notice: string | undefined): void {
    this.#generation += 1;
    clearTimeout(this.#timer);
    this.#access = null;
    this.#refreshing = null;
    this.#restoring = null;
    this.store.clear();
    this.#setState(notice ? { status: "signedOut", notice } : { status: "signedOut" });
  }

  #storeChanged(token: string | null): void {
    if (token === null && this.#state.status === "signedIn") {
      this.#end(LOGGED_OUT_ELSEWHERE); // logged out in another tab
    } else if (token !== null && this.#state.status === "signedOut") {
      void this.restore(); // logged in in another tab
    }
  }

  #setState(state: SessionState): void {
    this.#state = state;
    for (const listener of this.#listeners) listener();
  }
}
