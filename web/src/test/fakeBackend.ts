/**
 * An in-memory AuthService and SongService behind Connect's router transport,
 * for component tests: real clients, interceptors and error details, no network.
 */
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import { Code, ConnectError, createRouterTransport } from "@connectrpc/connect";
import type { TransportFactory } from "../api/services";
import { AuthService, Role } from "../gen/chorus/auth/v1/auth_service_pb";
import type { Session } from "../gen/chorus/auth/v1/auth_service_pb";
import { SongService } from "../gen/chorus/resource/v1/song_service_pb";
import type { Song } from "../gen/chorus/resource/v1/song_service_pb";
import { BadRequestSchema } from "../gen-rpc/google/rpc/error_details_pb";

interface FakeUser {
  id: string;
  email: string;
  password: string;
}

export function invalid(violations: { field: string; description: string }[]): ConnectError {
  return new ConnectError("invalid request", Code.InvalidArgument, undefined, [
    { desc: BadRequestSchema, value: { fieldViolations: violations } },
  ]);
}

export class FakeBackend {
  users = new Map<string, FakeUser>();
  /** access token -> user id */
  accessTokens = new Map<string, string>();
  /** refresh token -> user id (rotated on use) */
  refreshTokens = new Map<string, string>();
  songs: Song[] = [];
  /** Every request the services got, by method name, for assertions. */
  calls: { method: string; request: unknown; authorization: string | null }[] = [];
  #counter = 0;

  addUser(email: string, password: string): FakeUser {
    const user = { id: `user-${this.users.size + 1}`, email, password };
    this.users.set(email, user);
    return user;
  }

  addSongs(count: number): void {
    for (let i = 1; i <= count; i++) this.#storeSong(`Song ${i}`, `Artist ${i}`, 1990 + i);
  }

  /** A session for a user, as Login would make it. */
  session(userId: string): Session {
    const n = ++this.#counter;
    const accessToken = `access-${n}`;
    const refreshToken = `refresh-${n}`;
    this.accessTokens.set(accessToken, userId);
    this.refreshTokens.set(refreshToken, userId);
    return {
      $typeName: "chorus.auth.v1.Session",
      accessToken,
      tokenType: "Bearer",
      accessTokenExpireTime: timestampFromMs(Date.now() + 300_000),
      refreshToken,
      refreshTokenExpireTime: timestampFromMs(Date.now() + 86_400_000),
    };
  }

  transports(): TransportFactory {
    return (interceptors: Interceptor[]) =>
      createRouterTransport((router) => this.#routes(router), { transport: { interceptors } });
  }

  #callerOf(header: Headers): FakeUser {
    const token = header.get("authorization")?.replace(/^Bearer /, "") ?? "";
    const userId = this.accessTokens.get(token);
    const user = [...this.users.values()].find((u) => u.id === userId);
    if (!user) throw new ConnectError("the access token is invalid", Code.Unauthenticated);
    return user;
  }

  #storeSong(name: string, artist: string, year?: number): Song {
    const now = timestampFromMs(Date.now());
    const song: Song = {
      $typeName: "chorus.resource.v1.Song",
      id: `song-${++this.#counter}`,
      name,
      artist,
      year,
      createTime: now,
      updateTime: now,
    };
    this.songs.push(song);
    return song;
  }

  #checkSong(song: { name: string; artist: string; year?: number }, paths: string[]): void {
    const violations: { field: string; description: string }[] = [];
    if (paths.includes("name") && !song.name.trim())
      violations.push({ field: "song.name", description: "must not be empty" });
    if (paths.includes("artist") && !song.artist.trim())
      violations.push({ field: "song.artist", description: "must not be empty" });
    if (paths.includes("year") && song.year !== undefined && (song.year < 1000 || song.year > 2100)) {
      violations.push({ field: "song.year", description: "must be between 1000 and 2100" });
    }
    if (violations.length) throw invalid(violations);
  }

  #routes(router: ConnectRouter): void {
    const record = (method: string, request: unknown, header: Headers) =>
      this.calls.push({ method, request, authorization: header.get("authorization") });
    router.service(AuthService, {
      signUp: (req, ctx) => {
        record("SignUp", req, ctx.requestHeader);
        const violations = [];
        if (!req.email.includes("@"))
          violations.push({
            field: "email",
            description: "The email address is not valid. It must have exactly one @-sign.",
          });
        if (req.password.length < 8)
          violations.push({ field: "password", description: "must be at least 8 characters" });
        if (violations.length) throw invalid(violations);
        if (this.users.has(req.email))
          throw new ConnectError("an account with this email already exists", Code.AlreadyExists);
        const user = this.addUser(req.email, req.password);
        return { user: { id: user.id, email: user.email }, session: this.session(user.id) };
      },
      login: (req, ctx) => {
        record("Login", req, ctx.requestHeader);
        const user = this.users.get(req.email);
        if (!user || user.password !== req.password) {
          throw new ConnectError("wrong email or password", Code.Unauthenticated);
        }
        return { user: { id: user.id, email: user.email }, session: this.session(user.id) };
      },
      refresh: (req, ctx) => {
        record("Refresh", req, ctx.requestHeader);
        const userId = this.refreshTokens.get(req.refreshToken);
        if (!userId) throw new ConnectError("the refresh token is not valid", Code.Unauthenticated);
        this.refreshTokens.delete(req.refreshToken);
        return { session: this.session(userId) };
      },
      logout: (req, ctx) => {
        record("Logout", req, ctx.requestHeader);
        this.refreshTokens.delete(req.refreshToken);
        return {};
      },
      whoAmI: (req, ctx) => {
        record("WhoAmI", req, ctx.requestHeader);
        const user = this.#callerOf(ctx.requestHeader);
        return {
          user: { id: user.id, email: user.email },
          tenantId: `tenant-of-${user.id}`,
          role: Role.OWNER,
        };
      },
      getJwks: () => ({}),
    });
    router.service(SongService, {
      createSong: (req, ctx) => {
        record("CreateSong", req, ctx.requestHeader);
        this.#callerOf(ctx.requestHeader);
        const song: { name: string; artist: string; year?: number } = req.song ?? { name: "", artist: "" };
        this.#checkSong(song, ["name", "artist", "year"]);
        return { song: this.#storeSong(song.name.trim(), song.artist.trim(), song.year) };
      },
      getSong: (req, ctx) => {
        this.#callerOf(ctx.requestHeader);
        const song = this.songs.find((s) => s.id === req.id);
        if (!song) throw new ConnectError("song not found", Code.NotFound);
        return { song };
      },
      listSongs: (req, ctx) => {
        record("ListSongs", req, ctx.requestHeader);
        this.#callerOf(ctx.requestHeader);
        const size = req.pageSize || 20;
        const start = req.pageToken ? this.songs.findIndex((s) => s.id === req.pageToken) + 1 : 0;
        const page = this.songs.slice(start, start + size);
        const more = start + size < this.songs.length;
        return { songs: page, nextPageToken: more ? (page[page.length - 1]?.id ?? "") : "" };
      },
      updateSong: (req, ctx) => {
        record("UpdateSong", req, ctx.requestHeader);
        this.#callerOf(ctx.requestHeader);
        const song = this.songs.find((s) => s.id === req.song?.id);
        if (!song || !req.song) throw new ConnectError("song not found", Code.NotFound);
        const paths = req.updateMask?.paths ?? [];
        this.#checkSong(req.song, paths);
        if (paths.includes("name")) song.name = req.song.name;
        if (paths.includes("artist")) song.artist = req.song.artist;
        if (paths.includes("year")) song.year = req.song.year;
        return { song };
      },
      deleteSong: (req, ctx) => {
        record("DeleteSong", req, ctx.requestHeader);
        this.#callerOf(ctx.requestHeader);
        const index = this.songs.findIndex((s) => s.id === req.id);
        if (index < 0) throw new ConnectError("song not found", Code.NotFound);
        this.songs.splice(index, 1);
        return {};
      },
    });
  }
}
