/**
 * Adds `authorization: Bearer <access token>` to every call, and when a call
 * is rejected as UNAUTHENTICATED, refreshes the session once and retries.
 */
import type { Interceptor } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import type { SessionManager } from "./sessionManager";

export type TokenSource = Pick<SessionManager, "accessToken" | "tokenRejected">;

export function authInterceptor(tokens: TokenSource): Interceptor {
  return (next) => async (req) => {
    const token = await tokens.accessToken();
    if (token) req.header.set("authorization", `Bearer ${token}`);
    try {
      return await next(req);
    } catch (err) {
      if (!token || req.stream || ConnectError.from(err).code !== Code.Unauthenticated) throw err;
      const fresh = await tokens.tokenRejected(token).catch(() => null);
      if (!fresh) throw err;
      req.header.set("authorization", `Bearer ${fresh}`);
      return await next(req);
    }
  };
}
