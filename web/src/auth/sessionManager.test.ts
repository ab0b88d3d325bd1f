import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Role } from "../gen/chorus/auth/v1/auth_service_pb";
import type { Session } from "../gen/chorus/auth/v1/auth_service_pb";
import { memoryRefreshTokenStore } from "./refreshTokenStore";
import type { RefreshTokenStore } from "./refreshTokenStore";
import type { SessionApi } from "./sessionManager";
import { RESUME_FAILED, RETRY_DELAY_MS, SESSION_ENDED, SessionManager } from "./sessionManager";

const TTL = 300_000;
const inline = <T>(_name: string, task: () => Promise<T>) => task();

function jwt(claims: object): string {
  const part = (value: object) =>
    btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${part({ alg: "ES256" })}.${part(claims)}.sig`;
}

/** Tokens of session number n; with a tenant, the access token is a JWT acting in it. */
function session(n: number, ttlMs = TTL, tenant?: { tid: string; role: string }): Session {
  const iat = Math.floor(Date.now() / 1000);
  return {
    $typeName: "chorus.auth.v1.Session",
    accessToken: tenant ? jwt({ sub: "u1", ...tenant, iat, exp: iat + ttlMs / 1000, n }) : `access-${n}`,
    tokenType: "Bearer",
    accessTokenExpireTime: timestampFromMs(Date.now() + ttlMs),
    refreshToken: `refresh-${n}`,
    refreshTokenExpireTime: timestampFromMs(Date.now() + 86_400_000),
  };
}

/** An AuthService stand-in that rotates refresh tokens like the real one. */
function fakeApi() {
  let n = 100;
  const valid = new Set<string>(["refresh-1"]);
  const api = {
    refresh: vi.fn((token: string) => {
      if (!valid.delete(token))
        return Promise.reject(new ConnectError("bad refresh token", Code.Unauthenticated));
      const next = session(++n);
      valid.add(next.refreshToken);
      return Promise.resolve(next);
    }),
    logout: vi.fn(() => Promise.resolve()),
    switchTenant: vi.fn((tenantId: string, token: string, _accessToken: string) => {
      if (tenantId === "not-mine") return Promise.reject(new ConnectError("tenant not found", Code.NotFound));
      if (!valid.delete(token))
        return Promise.reject(new ConnectError("bad refresh token", Code.Unauthenticated));
      const next = session(++n, TTL, { tid: tenantId, role: "viewer" });
      valid.add(next.refreshToken);
      return Promise.resolve(next);
    }),
  } satisfies SessionApi;
  return { api, valid };
}

describe("SessionManager", () => {
  let store: RefreshTokenStore;
  let managers: SessionManager[];

  beforeEach(() => {
    vi.useFakeTimers();
    store = memoryRefreshTokenStore();
    managers = [];
  });
  afterEach(() => {
    managers.forEach((m) => m.dispose());
    vi.useRealTimers();
  });

  function manager(api: SessionApi) {
    const m = new SessionManager(api, store, inline);
    managers.push(m);
    return m;
  }

  it("keeps the access token in memory and only the refresh token in the store", async () => {
    const { api } = fakeApi();
    const m = manager(api);
    m.start(session(1));
    expect(m.getState()).toEqual({ status: "signedIn" });
    expect(store.read()).toBe("refresh-1");
    expect(await m.accessToken()).toBe("access-1");
  });

  it("refreshes 30 s before the access token expires, rotating the stored token", async () => {
    const { api } = fakeApi();
    const m = manager(api);
    m.start(session(1));
    await vi.advanceTimersByTimeAsync(TTL - 31_000);
    expect(api.refresh).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(api.refresh).toHaveBeenCalledWith("refresh-1");
    expect(store.read()).toBe("refresh-101");
    expect(await m.accessToken()).toBe("access-101");
    // and again before the new one expires
    await vi.advanceTimersByTimeAsync(TTL - 30_000);
    expect(api.refresh).toHaveBeenCalledTimes(2);
  });

  it("refreshes before a call when the timer ran late (sleeping laptop)", async () => {
    const { api } = fakeApi();
    const m = manager(api);
    m.start(session(1));
    vi.setSystemTime(Date.now() + TTL + 60_000); // clock jumps, timers did not fire
    expect(await m.accessToken()).toBe("access-101");
  });

  it("restores a session on page load from the stored refresh token", async () => {
    const { api } = fakeApi();
    store.write("refresh-1");
    const m = manager(api);
    expect(m.getState()).toEqual({ status: "restoring" });
    await m.restore();
    expect(m.getState()).toEqual({ status: "signedIn" });
    expect(await m.accessToken()).toBe("access-101");
  });

  it("refreshes once even if restore is called twice (React StrictMode)", async () => {
    const { api } = fakeApi();
    store.write("refresh-1");
    const m = manager(api);
    await Promise.all([m.restore(), m.restore()]);
    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(m.getState().status).toBe("signedIn");
  });

  it("shares one refresh among concurrent callers", async () => {
    const { api } = fakeApi();
    const m = manager(api);
    m.start(session(1));
    const tokens = await Promise.all([m.tokenRejected("access-1"), m.tokenRejected("access-1"), m.refresh()]);
    expect(tokens).toEqual(["access-101", "access-101", "access-101"]);
    expect(api.refresh).toHaveBeenCalledTimes(1);
  });

  it("does not refresh again for a token that was already replaced", async () => {
    const { api } = fakeApi();
    const m = manager(api);
    m.start(session(1));
    await m.refresh();
    expect(await m.tokenRejected("access-1")).toBe("access-101");
    expect(api.refresh).toHaveBeenCalledTimes(1);
  });

  it("shows the login screen when there is no stored session", async () => {
    const { api } = fakeApi();
    const m = manager(api);
    await m.restore();
    expect(m.getState()).toEqual({ status: "signedOut" });
    expect(api.refresh).not.toHaveBeenCalled();
  });

  it("ends the session when the server refuses the refresh token", async () => {
    const { api } = fakeApi();
    store.write("refresh-stolen-and-rotated");
    const m = manager(api);
    await m.restore();
    expect(m.getState()).toEqual({ status: "signedOut", notice: SESSION_ENDED });
    expect(store.read()).toBeNull();
  });

  it("keeps the stored token when the server can't be reached on load", async () => {
    const api: SessionApi = {
      refresh: () => Promise.reject(new ConnectError("offline", Code.Unavailable)),
      logout: () => Promise.resolve(),
      switchTenant: () => Promise.reject(new ConnectError("offline", Code.Unavailable)),
    };
    store.write("refresh-1");
    const m = manager(api);
    await m.restore();
    expect(m.getState()).toEqual({ status: "signedOut", notice: RESUME_FAILED });
    expect(store.read()).toBe("refresh-1");
  });

  it("retries a scheduled refresh that failed for a passing reason", async () => {
    const { api } = fakeApi();
    const m = manager(api);
    m.start(session(1));
    api.refresh.mockImplementationOnce(() => Promise.reject(new ConnectError("offline", Code.Unavailable)));
    await vi.advanceTimersByTimeAsync(TTL - 30_000);
    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(m.getState().status).toBe("signedIn");
    await vi.advanceTimersByTimeAsync(RETRY_DELAY_MS);
    expect(api.refresh).toHaveBeenCalledTimes(2);
    expect(await m.accessToken()).toBe("access-101");
  });

  it("logs out: forgets everything at once and ends the session on the server", async () => {
    const { api } = fakeApi();
    const m = manager(api);
    m.start(session(1));
    const done = m.logOut();
    expect(m.getState()).toEqual({ status: "signedOut" });
    expect(store.read()).toBeNull();
    expect(await m.accessToken()).toBeNull();
    await done;
    expect(api.logout).toHaveBeenCalledWith("refresh-1");
    await vi.advanceTimersByTimeAsync(TTL * 2);
    expect(api.refresh).not.toHaveBeenCalled();
  });

  it("signs out when another tab logs out", () => {
    let notify: (token: string | null) => void = () => {};
    store = { ...memoryRefreshTokenStore(), subscribe: (fn) => ((notify = fn), () => {}) };
    const { api } = fakeApi();
    const m = manager(api);
    m.start(session(1));
    notify(null);
    expect(m.getState()).toMatchObject({ status: "signedOut" });
  });

  it("notifies subscribers of every change", async () => {
    const { api } = fakeApi();
    const m = manager(api);
    const seen: string[] = [];
    m.subscribe(() => seen.push(m.getState().status));
    m.start(session(1));
    await m.logOut();
    expect(seen).toEqual(["signedIn", "signedOut"]);
  });

  describe("acting as, and switching tenants", () => {
    it("reads who the access token acts as from its claims", () => {
      const { api } = fakeApi();
      const m = manager(api);
      expect(m.getActing()).toBeNull();
      m.start(session(1, TTL, { tid: "t-personal", role: "owner" }));
      expect(m.getActing()).toEqual({ userId: "u1", tenantId: "t-personal", role: Role.OWNER });
      m.start(session(2)); // not a JWT: nothing known
      expect(m.getActing()).toEqual({ userId: "", tenantId: "", role: Role.UNSPECIFIED });
    });

    it("switches: rotates the stored refresh token and acts in the new tenant", async () => {
      const { api } = fakeApi();
      const m = manager(api);
      m.start(session(1, TTL, { tid: "t-personal", role: "owner" }));
      const seen: (string | undefined)[] = [];
      m.subscribe(() => seen.push(m.getActing()?.tenantId));
      const first = await m.accessToken();

      await m.switchTenant("t-band");
      expect(api.switchTenant).toHaveBeenCalledWith("t-band", "refresh-1", first);
      expect(store.read()).toBe("refresh-101");
      expect(m.getActing()).toMatchObject({ tenantId: "t-band", role: Role.VIEWER });
      expect(await m.accessToken()).not.toBe(first);
      expect(seen).toEqual(["t-band"]);
      expect(m.getState().status).toBe("signedIn");
      // the new token is refreshed on its own schedule (iat is in whole seconds)
      await vi.advanceTimersByTimeAsync(TTL - 29_000);
      expect(api.refresh).toHaveBeenCalledWith("refresh-101");
    });

    it("makes calls that start during a switch wait for the new token", async () => {
      const { api } = fakeApi();
      const m = manager(api);
      m.start(session(1, TTL, { tid: "t-personal", role: "owner" }));
      const switching = m.switchTenant("t-band");
      const token = m.accessToken();
      await switching;
      expect(await token).toBe(await m.accessToken());
      expect(m.getActing()?.tenantId).toBe("t-band");
    });

    it("lets a refresh in flight finish first, then switches with the rotated token", async () => {
      const { api } = fakeApi();
      const m = manager(api);
      m.start(session(1));
      await Promise.all([m.refresh(), m.switchTenant("t-band")]);
      expect(api.refresh).toHaveBeenCalledWith("refresh-1");
      expect(api.switchTenant).toHaveBeenCalledWith("t-band", "refresh-101", "access-101");
      expect(store.read()).toBe("refresh-102");
    });

    it("keeps the session as it was when the server says no (not a member)", async () => {
      const { api } = fakeApi();
      const m = manager(api);
      m.start(session(1, TTL, { tid: "t-personal", role: "owner" }));
      const before = await m.accessToken();
      await expect(m.switchTenant("not-mine")).rejects.toMatchObject({ code: Code.NotFound });
      expect(store.read()).toBe("refresh-1");
      expect(await m.accessToken()).toBe(before);
      expect(m.getActing()?.tenantId).toBe("t-personal");
      expect(m.getState().status).toBe("signedIn");
    });

    it("still refreshes on time after a switch that the server refused", async () => {
      const { api } = fakeApi();
      const m = manager(api);
      m.start(session(1));
      let answer: (err: Error) => void = () => {};
      api.switchTenant.mockImplementationOnce(() => new Promise<Session>((_, reject) => (answer = reject)));
      const switching = m.switchTenant("t-band");
      await vi.advanceTimersByTimeAsync(TTL - 30_000); // the refresh timer fires mid-switch
      answer(new ConnectError("tenant not found", Code.NotFound));
      await expect(switching).rejects.toMatchObject({ code: Code.NotFound });
      expect(api.refresh).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1_000);
      expect(api.refresh).toHaveBeenCalledWith("refresh-1");
      expect(m.getState().status).toBe("signedIn");
    });

    it("refreshes and tries once more when the access token was refused", async () => {
      const { api } = fakeApi();
      const m = manager(api);
      m.start(session(1));
      api.switchTenant.mockImplementationOnce(() =>
        Promise.reject(new ConnectError("the access token is invalid", Code.Unauthenticated)),
      );
      await m.switchTenant("t-band");
      expect(api.refresh).toHaveBeenCalledTimes(1);
      expect(api.switchTenant).toHaveBeenCalledTimes(2);
      expect(api.switchTenant).toHaveBeenLastCalledWith("t-band", "refresh-101", "access-101");
      expect(m.getActing()?.tenantId).toBe("t-band");
    });

    it("ends the session when the refresh token is refused", async () => {
      const { api } = fakeApi();
      const m = manager(api);
      m.start(session(1));
      store.write("refresh-revoked");
      await expect(m.switchTenant("t-band")).rejects.toMatchObject({ code: Code.Unauthenticated });
      expect(m.getState()).toEqual({ status: "signedOut", notice: SESSION_ENDED });
      expect(m.getActing()).toBeNull();
      expect(store.read()).toBeNull();
    });

    it("drops a switch that finishes after logging out, and ends its new session too", async () => {
      const { api } = fakeApi();
      const m = manager(api);
      m.start(session(1));
      let answer: (session: Session) => void = () => {};
      api.switchTenant.mockImplementationOnce(() => new Promise<Session>((resolve) => (answer = resolve)));
      const switching = m.switchTenant("t-band");
      await vi.waitFor(() => expect(api.switchTenant).toHaveBeenCalled());
      await m.logOut();
      answer(session(7, TTL, { tid: "t-band", role: "viewer" }));
      await switching;
      expect(m.getState().status).toBe("signedOut");
      expect(m.getActing()).toBeNull();
      expect(store.read()).toBeNull();
      expect(api.logout).toHaveBeenLastCalledWith("refresh-7");
    });

    it("refuses to switch once logged out", async () => {
      const { api } = fakeApi();
      const m = manager(api);
      m.start(session(1));
      const switching = m.switchTenant("t-band");
      await m.logOut();
      await expect(switching).rejects.toMatchObject({ code: Code.Unauthenticated });
      expect(api.switchTenant).not.toHaveBeenCalled();
    });
  });
});
