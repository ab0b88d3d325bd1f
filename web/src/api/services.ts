/**
 * The clients the app talks through, wired to one gateway.
 *
 * Two transports: a plain one for the session calls of AuthService (SignUp,
 * Login, Refresh, Logout carry no access token) and for SwitchTenant (the
 * session manager sends its token itself, while it holds the refresh lock),
 * and one with the auth interceptor for everything that needs the caller's
 * token.
 */
import type { Client, Interceptor, Transport } from "@connectrpc/connect";
import { ConnectError, Code, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { authInterceptor } from "../auth/authInterceptor";
import type { RefreshTokenStore } from "../auth/refreshTokenStore";
import { SessionManager } from "../auth/sessionManager";
import { AuthService } from "../gen/chorus/auth/v1/auth_service_pb";
import { TenantService } from "../gen/chorus/auth/v1/tenant_service_pb";
import { OperationService } from "../gen/chorus/resource/v1/operation_service_pb";
import { PlaylistService } from "../gen/chorus/resource/v1/playlist_service_pb";
import { SongService } from "../gen/chorus/resource/v1/song_service_pb";

export interface Services {
  session: SessionManager;
  /** The transport that carries the caller's token (the API explorer calls through it). */
  withToken: Transport;
  /** AuthService without a token: SignUp, Login (Refresh, Logout via session). */
  auth: Client<typeof AuthService>;
  /** AuthService with the caller's token: WhoAmI. */
  account: Client<typeof AuthService>;
  /** SongService with the caller's token. */
  songs: Client<typeof SongService>;
  /** OperationService (imports' progress) with the caller's token. */
  operations: Client<typeof OperationService>;
  /** PlaylistService with the caller's token. */
  playlists: Client<typeof PlaylistService>;
  /** TenantService with the caller's token (SwitchTenant goes via `session`). */
  tenants: Client<typeof TenantService>;
}

/** Makes a transport with the given interceptors. */
export type TransportFactory = (interceptors: Interceptor[]) => Transport;

/** Calls give up after this long (sent as grpc-timeout). */
export const CALL_TIMEOUT_MS = 15_000;

export function grpcWebTransports(baseUrl: string): TransportFactory {
  return (interceptors) =>
    createGrpcWebTransport({ baseUrl, interceptors, defaultTimeoutMs: CALL_TIMEOUT_MS });
}

export function createServices(makeTransport: TransportFactory, store: RefreshTokenStore): Services {
  const plain = makeTransport([]);
  const auth = createClient(AuthService, plain);
  const switcher = createClient(TenantService, plain);
  const session = new SessionManager(
    {
      async refresh(refreshToken) {
        const { session } = await auth.refresh({ refreshToken });
        if (!session) throw new ConnectError("Refresh returned no session", Code.Internal);
        return session;
      },
      async logout(refreshToken) {
        await auth.logout({ refreshToken });
      },
      async switchTenant(tenantId, refreshToken, accessToken) {
        const { session } = await switcher.switchTenant(
          { tenantId, refreshToken },
          { headers: { authorization: `Bearer ${accessToken}` } },
        );
        if (!session) throw new ConnectError("SwitchTenant returned no session", Code.Internal);
        return session;
      },
    },
    store,
  );
  const withToken = makeTransport([authInterceptor(session)]);
  return {
    session,
    withToken,
    auth,
    account: createClient(AuthService, withToken),
    songs: createClient(SongService, withToken),
    operations: createClient(OperationService, withToken),
    playlists: createClient(PlaylistService, withToken),
    tenants: createClient(TenantService, withToken),
  };
}
