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
 * - switchTenant(id) moves the session to another tenant of the user: the
 *   server rotates the refresh token (like a refresh) and returns tokens that
 *   act in that tenant, so it is serialised with refreshes the same way.
 * - getActing() says which user, tenant and role the access token acts as
 *   (read from its claims, for the page's controls; the server verifies).
 * - logOut() forgets everything at once, then ends the session on the server.
 */
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Role, Session } from "../gen/chorus/auth/v1/auth_service_pb";
import { roleFromClaim } from "../tenants/roles";
import { runExclusive } from "./exclusive";
import { jwtPayload, stringClaim } from "./jwtClaims";
import type { RefreshTokenStore } from "./refreshTokenStore";
import type { TokenTimes } from "./tokenTiming";
import { isDueForRefresh, jwtIssuedAtMs, refreshDelayMs } from "./tokenTiming";

export type SessionState =
  { status: "restoring" } | { status: "signedOut"; notice?: string } | { status: "signedIn" };

/** Who the access token acts as: from its `sub`, `tid` and `role` claims. */
export interface Acting {
  userId: string;
  tenantId: string;
  /** UNSPECIFIED when the token can't be read. */
  role: Role;
}

/** The calls the session needs: AuthService's, and TenantService.SwitchTenant. */
export interface SessionApi {
  refresh(refreshToken: string): Promise<Session>;
  logout(refreshToken: string): Promise<void>;
  /** SwitchTenant, authorised by `accessToken`; rotates `refreshToken`. */
  switchTenant(tenantId: string, refreshToken: string, accessToken: string): Promise<Session>;
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
  #acting: Acting | null = null;
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

  /** The user, tenant and role of the current access token; null when signed out. */
  getActing = (): Acting | null => this.#acting;

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

  /**
   * Trade the stored refresh token for a new session with `trade`, under the
   * cross-tab lock (a rotated token presented twice ends the session). The
   * new refresh token is stored, unless the user logged out meanwhile.
   */
  #rotate(generation: number, trade: (refreshToken: string) => Promise<Session>): Promise<Session> {
    return this.exclusive(LOCK_NAME, async () => {
      const refreshToken = this.store.read();
      if (!refreshToken || generation !== this.#generation) throw new NoStoredSession();
      const fresh = await trade(refreshToken);
      if (generation === this.#generation) {
        this.store.write(fresh.refreshToken);
      } else {
        void this.api.logout(fresh.refreshToken).catch(() => {}); // logged out meanwhile
      }
      return fresh;
    });
  }

  async #refresh(generation: number): Promise<string | null> {
    let session: Session;
    try {
      session = await this.#rotate(generation, (refreshToken) => this.api.refresh(refreshToken));
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

  /**
   * Make `tenantId` the session's active tenant. Resolves once the new tokens
   * are in use; rejects with the server's error (NOT_FOUND when the user is
   * not a member), and the session goes on in the tenant it was in. Calls
   * made meanwhile wait for the new access token.
   */
  switchTenant(tenantId: string): Promise<void> {
    const switching = this.#switch(this.#refreshing, this.#generation, tenantId);
    this.#refreshing = switching;
    const done = () => {
      if (this.#refreshing === switching) this.#refreshing = null;
    };
    const failed = () => {
      done();
      // a scheduled refresh that ran into the switch was answered by it: plan the next one
      if (this.#access && this.#state.status === "signedIn") {
        this.#schedule(refreshDelayMs(this.#access.times, Date.now()));
      }
    };
    switching.then(done, failed);
    return switching.then(() => undefined);
  }

  async #switch(before: Promise<string | null> | null, generation: number, tenantId: string) {
    await before?.catch(() => null); // a refresh in flight finishes first
    for (let attempt = 1; ; attempt++) {
      let access = generation === this.#generation ? this.#access : null;
      if (access && isDueForRefresh(access.times, Date.now())) {
        await this.#refresh(generation);
        access = generation === this.#generation ? this.#access : null;
      }
      if (!access) throw new ConnectError(SESSION_ENDED, Code.Unauthenticated);
      try {
        return await this.#switchWith(generation, tenantId, access.token);
      } catch (err) {
        if (attempt > 1 || ConnectError.from(err).code !== Code.Unauthenticated) throw err;
        // The access token or the refresh token was refused. The access token
        // is checked first, and then the refresh token is left as it was, so
        // a refresh tells which: it ends the session if that is over, else
        // the switch is tried once more with the new access token.
        if (!(await this.#refresh(generation))) throw err;
      }
    }
  }

  async #switchWith(generation: number, tenantId: string, accessToken: string): Promise<string | null> {
    let session: Session;
    try {
      session = await this.#rotate(generation, (refreshToken) =>
        this.api.switchTenant(tenantId, refreshToken, accessToken),
      );
    } catch (err) {
      if (err instanceof NoStoredSession) {
        if (generation === this.#generation) this.#end(SESSION_ENDED);
        throw new ConnectError(SESSION_ENDED, Code.Unauthenticated);
      }
      throw err;
    }
    if (generation !== this.#generation) return null;
    this.#accept(session);
    return session.accessToken;
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
    const acting = actingOf(session.accessToken);
    const actingChanged = !sameActing(this.#acting, acting);
    if (actingChanged) this.#acting = acting;
    if (this.#state.status !== "signedIn") this.#setState({ status: "signedIn" });
    else if (actingChanged) this.#notify();
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
    this.#acting = null;
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
    this.#notify();
  }

  #notify(): void {
    for (const listener of this.#listeners) listener();
  }
}

function actingOf(accessToken: string): Acting {
  const claims = jwtPayload(accessToken);
  return {
    userId: stringClaim(claims, "sub"),
    tenantId: stringClaim(claims, "tid"),
    role: roleFromClaim(stringClaim(claims, "role")),
  };
}

function sameActing(a: Acting | null, b: Acting | null): boolean {
  return a === b || (!!a && !!b && a.userId === b.userId && a.tenantId === b.tenantId && a.role === b.role);
}
