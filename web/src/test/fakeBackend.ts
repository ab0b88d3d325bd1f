/**
 * An in-memory AuthService, TenantService and SongService behind Connect's
 * router transport, for component tests: real clients, interceptors and error
 * details, no network.
 *
 * Like the real services: every user has a personal tenant; a session acts in
 * one tenant at a time (SwitchTenant moves it and rotates the refresh token);
 * access tokens are JWT-shaped (unsigned) with `sub`, `tid` and `role`, and
 * carry the role they were issued with until the next refresh; songs belong
 * to a tenant; viewers' song changes are PERMISSION_DENIED. ImportSongs and
 * OperationService are in `fakeImports.ts` (`backend.imports`).
 */
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter, HandlerContext, Interceptor } from "@connectrpc/connect";
import { Code, ConnectError, createRouterTransport } from "@connectrpc/connect";
import type { TransportFactory } from "../api/services";
import { AuthService, Role } from "../gen/chorus/auth/v1/auth_service_pb";
import type { Session } from "../gen/chorus/auth/v1/auth_service_pb";
import { TenantService } from "../gen/chorus/auth/v1/tenant_service_pb";
import { SongService } from "../gen/chorus/resource/v1/song_service_pb";
import type { Song } from "../gen/chorus/resource/v1/song_service_pb";
import { BadRequestSchema } from "../gen-rpc/google/rpc/error_details_pb";
import { FakeImports } from "./fakeImports";

interface FakeUser {
  id: string;
  email: string;
  password: string;
}

interface FakeTenant {
  id: string;
  name: string;
  personal: boolean;
  createMs: number;
}

interface FakeMembership {
  tenantId: string;
  userId: string;
  role: Role;
  joinMs: number;
}

interface FakeInvitation {
  id: string;
  tenantId: string;
  email: string;
  role: Role;
  accepted: boolean;
}

/** A login session: the tenant it acts in moves with SwitchTenant. */
interface FakeLogin {
  id: string;
  userId: string;
  tenantId: string;
  revoked: boolean;
}

/** What an access token says. */
export interface FakeCaller {
  userId: string;
  tenantId: string;
  role: Role;
}

const CLAIM: Record<Role, string> = {
  [Role.UNSPECIFIED]: "",
  [Role.OWNER]: "owner",
  [Role.ADMIN]: "admin",
  [Role.EDITOR]: "editor",
  [Role.VIEWER]: "viewer",
};

const TOKEN_TTL_MS = 300_000;

export function invalid(violations: { field: string; description: string }[]): ConnectError {
  return new ConnectError("invalid request", Code.InvalidArgument, undefined, [
    { desc: BadRequestSchema, value: { fieldViolations: violations } },
  ]);
}

function base64url(value: object): string {
  return btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

/** The id of the personal tenant every user gets. */
export function personalTenantOf(userId: string): string {
  return `tenant-of-${userId}`;
}

export class FakeBackend {
  users = new Map<string, FakeUser>();
  tenants = new Map<string, FakeTenant>();
  memberships: FakeMembership[] = [];
  invitations: FakeInvitation[] = [];
  logins = new Map<string, FakeLogin>();
  /** access token -> who it acts as */
  accessTokens = new Map<string, FakeCaller>();
  /** refresh token -> login id (rotated on use) */
  refreshTokens = new Map<string, string>();
  songs: Song[] = [];
  /** song id -> tenant id */
  songTenants = new Map<string, string>();
  /** Every request the services got, by method name, for assertions. */
  calls: { method: string; request: unknown; authorization: string | null }[] = [];
  /** Song imports: they run when a test calls `imports.run()`. */
  imports = new FakeImports({
    caller: (header) => this.#callerOf(header),
    writer: (header) => this.#writer(header),
    store: (tenantId, song, userId) => this.#storeSong(tenantId, song.name, song.artist, song.year, userId),
  });
  #counter = 0;

  addUser(email: string, password: string): FakeUser {
    const user = { id: `user-${this.users.size + 1}`, email, password };
    this.users.set(email, user);
    this.#addTenant(personalTenantOf(user.id), email, true);
    this.memberships.push({
      tenantId: personalTenantOf(user.id),
      userId: user.id,
      role: Role.OWNER,
      joinMs: Date.now(),
    });
    return user;
  }

  /** A shared tenant owned by `ownerId`. */
  addTenant(name: string, ownerId: string): FakeTenant {
    const tenant = this.#addTenant(`tenant-${++this.#counter}`, name, false);
    this.addMember(tenant.id, ownerId, Role.OWNER);
    return tenant;
  }

  addMember(tenantId: string, userId: string, role: Role): void {
    this.memberships.push({ tenantId, userId, role, joinMs: Date.now() });
  }

  /** Change a role behind the app's back (another owner did it). */
  setRole(tenantId: string, userId: string, role: Role): void {
    const member = this.#member(tenantId, userId);
    if (member) member.role = role;
  }

  invite(tenantId: string, email: string, role: Role): FakeInvitation {
    const invitation = { id: `invitation-${++this.#counter}`, tenantId, email, role, accepted: false };
    this.invitations.push(invitation);
    return invitation;
  }

  /** Songs "Song 1".."Song n"; by default in the first user's personal tenant. */
  addSongs(count: number, tenantId = personalTenantOf("user-1")): void {
    for (let i = 1; i <= count; i++) this.#storeSong(tenantId, `Song ${i}`, `Artist ${i}`, 1990 + i);
  }

  songsOf(tenantId: string): Song[] {
    return this.songs.filter((s) => this.songTenants.get(s.id) === tenantId);
  }

  roleOf(tenantId: string, userId: string): Role | undefined {
    return this.#member(tenantId, userId)?.role;
  }

  /** A session for a user, as Login would make it (in their personal tenant). */
  session(userId: string): Session {
    const login = {
      id: `login-${++this.#counter}`,
      userId,
      tenantId: personalTenantOf(userId),
      revoked: false,
    };
    this.logins.set(login.id, login);
    return this.#issue(login);
  }

  transports(): TransportFactory {
    return (interceptors: Interceptor[]) =>
      createRouterTransport((router) => this.#routes(router), { transport: { interceptors } });
  }

  #addTenant(id: string, name: string, personal: boolean): FakeTenant {
    const tenant = { id, name, personal, createMs: Date.now() };
    this.tenants.set(id, tenant);
    return tenant;
  }

  #member(tenantId: string, userId: string): FakeMembership | undefined {
    return this.memberships.find((m) => m.tenantId === tenantId && m.userId === userId);
  }

  #issue(login: FakeLogin): Session {
    const n = ++this.#counter;
    const role = this.#member(login.tenantId, login.userId)?.role ?? Role.UNSPECIFIED;
    const iat = Math.floor(Date.now() / 1000);
    const claims = { sub: login.userId, tid: login.tenantId, role: CLAIM[role], iat, exp: iat + 300, jti: n };
    const accessToken = `${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims)}.fake-${n}`;
    const refreshToken = `refresh-${n}`;
    this.accessTokens.set(accessToken, { userId: login.userId, tenantId: login.tenantId, role });
    this.refreshTokens.set(refreshToken, login.id);
    return {
      $typeName: "chorus.auth.v1.Session",
      accessToken,
      tokenType: "Bearer",
      accessTokenExpireTime: timestampFromMs(Date.now() + TOKEN_TTL_MS),
      refreshToken,
      refreshTokenExpireTime: timestampFromMs(Date.now() + 86_400_000),
    };
  }

  /** Rotate a refresh token: the login it belongs to, or UNAUTHENTICATED. */
  #rotate(refreshToken: string): FakeLogin {
    const loginId = this.refreshTokens.get(refreshToken);
    const login = loginId ? this.logins.get(loginId) : undefined;
    this.refreshTokens.delete(refreshToken);
    if (!login || login.revoked)
      throw new ConnectError("the refresh token is not valid", Code.Unauthenticated);
    return login;
  }

  #revokeLogins(tenantId: string, userId?: string): void {
    for (const login of this.logins.values()) {
      if (login.tenantId === tenantId && (userId === undefined || login.userId === userId))
        login.revoked = true;
    }
  }

  #callerOf(header: Headers): FakeCaller {
    const token = header.get("authorization")?.replace(/^Bearer /, "") ?? "";
    const caller = this.accessTokens.get(token);
    if (!caller) throw new ConnectError("the access token is invalid", Code.Unauthenticated);
    return caller;
  }

  #userById(userId: string): FakeUser {
    const user = [...this.users.values()].find((u) => u.id === userId);
    if (!user) throw new ConnectError("no such user", Code.NotFound);
    return user;
  }

  /** The caller's membership of a tenant; NOT_FOUND for non-members, like the real one. */
  #membership(ctx: HandlerContext, tenantId: string): { tenant: FakeTenant; me: FakeMembership } {
    const caller = this.#callerOf(ctx.requestHeader);
    const tenant = this.tenants.get(tenantId);
    const me = this.#member(tenantId, caller.userId);
    if (!tenant || !me) throw new ConnectError(`tenant ${tenantId} not found`, Code.NotFound);
    return { tenant, me };
  }

  #shared(tenant: FakeTenant): void {
    if (tenant.personal) {
      throw new ConnectError(
        "a personal tenant has exactly one member: create a shared tenant to work with others",
        Code.FailedPrecondition,
      );
    }
  }

  #requireManager(actor: Role, ...roles: Role[]): void {
    if (actor === Role.OWNER || (actor === Role.ADMIN && !roles.includes(Role.OWNER))) return;
    throw new ConnectError(
      actor === Role.ADMIN ? "admins can manage members below owner only" : "you cannot manage members",
      Code.PermissionDenied,
    );
  }

  #notLastOwner(member: FakeMembership, verb: string): void {
    const owners = this.memberships.filter((m) => m.tenantId === member.tenantId && m.role === Role.OWNER);
    if (member.role === Role.OWNER && owners.length <= 1) {
      throw new ConnectError(
        `the last owner cannot be ${verb}: make someone else owner first`,
        Code.FailedPrecondition,
      );
    }
  }

  #drop(member: FakeMembership): void {
    this.#notLastOwner(member, "removed");
    this.memberships = this.memberships.filter((m) => m !== member);
    this.#revokeLogins(member.tenantId, member.userId);
  }

  #tenantMessage(tenant: FakeTenant) {
    return {
      id: tenant.id,
      name: tenant.name,
      personal: tenant.personal,
      createTime: timestampFromMs(tenant.createMs),
    };
  }

  #memberMessage(member: FakeMembership) {
    return {
      userId: member.userId,
      email: this.#userById(member.userId).email,
      role: member.role,
      joinTime: timestampFromMs(member.joinMs),
    };
  }

  #invitationMessage(invitation: FakeInvitation) {
    const tenant = this.tenants.get(invitation.tenantId);
    return {
      id: invitation.id,
      tenant: tenant && this.#tenantMessage(tenant),
      email: invitation.email,
      role: invitation.role,
      expireTime: timestampFromMs(Date.now() + 7 * 86_400_000),
    };
  }

  #storeSong(tenantId: string, name: string, artist: string, year?: number, createdBy = ""): Song {
    const now = timestampFromMs(Date.now());
    const song: Song = {
      $typeName: "chorus.resource.v1.Song",
      id: `song-${++this.#counter}`,
      name,
      artist,
      year,
      createTime: now,
      updateTime: now,
      createdBy,
    };
    this.songs.push(song);
    this.songTenants.set(song.id, tenantId);
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

  /** A song-changing caller: an editor or above. */
  #writer(header: Headers): FakeCaller {
    const caller = this.#callerOf(header);
    if (caller.role === Role.VIEWER) {
      throw new ConnectError("a viewer cannot change songs", Code.PermissionDenied);
    }
    return caller;
  }

  #tenantSong(tenantId: string, id: string | undefined): Song | undefined {
    return this.songs.find((s) => s.id === id && this.songTenants.get(s.id) === tenantId);
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
        const login = this.#rotate(req.refreshToken);
        if (!this.#member(login.tenantId, login.userId)) {
          login.revoked = true;
          throw new ConnectError("the refresh token is not valid", Code.Unauthenticated);
        }
        return { session: this.#issue(login) };
      },
      logout: (req, ctx) => {
        record("Logout", req, ctx.requestHeader);
        const loginId = this.refreshTokens.get(req.refreshToken);
        const login = loginId ? this.logins.get(loginId) : undefined;
        if (login) login.revoked = true;
        this.refreshTokens.delete(req.refreshToken);
        return {};
      },
      whoAmI: (req, ctx) => {
        record("WhoAmI", req, ctx.requestHeader);
        const caller = this.#callerOf(ctx.requestHeader);
        const user = this.#userById(caller.userId);
        return { user: { id: user.id, email: user.email }, tenantId: caller.tenantId, role: caller.role };
      },
      getJwks: () => ({}),
    });
    router.service(TenantService, {
      createTenant: (req, ctx) => {
        record("CreateTenant", req, ctx.requestHeader);
        const caller = this.#callerOf(ctx.requestHeader);
        const name = req.name.trim();
        if (!name) throw invalid([{ field: "name", description: "must not be empty" }]);
        if (name.length > 200)
          throw invalid([{ field: "name", description: "must be at most 200 characters" }]);
        return { tenant: this.#tenantMessage(this.addTenant(name, caller.userId)) };
      },
      listMyTenants: (req, ctx) => {
        record("ListMyTenants", req, ctx.requestHeader);
        const caller = this.#callerOf(ctx.requestHeader);
        const mine = this.memberships.filter((m) => m.userId === caller.userId);
        const size = req.pageSize || 20;
        const start = Number(req.pageToken || "0");
        const page = mine.slice(start, start + size);
        return {
          memberships: page.map((m) => ({
            tenant: this.#tenantMessage(this.tenants.get(m.tenantId) as FakeTenant),
            role: m.role,
          })),
          nextPageToken: start + size < mine.length ? String(start + size) : "",
        };
      },
      listMembers: (req, ctx) => {
        record("ListMembers", req, ctx.requestHeader);
        this.#membership(ctx, req.tenantId);
        const members = this.memberships.filter((m) => m.tenantId === req.tenantId);
        return { members: members.map((m) => this.#memberMessage(m)) };
      },
      inviteMember: (req, ctx) => {
        record("InviteMember", req, ctx.requestHeader);
        const { tenant, me } = this.#membership(ctx, req.tenantId);
        if (!req.email.includes("@")) {
          throw invalid([
            {
              field: "email",
              description: "The email address is not valid. It must have exactly one @-sign.",
            },
          ]);
        }
        this.#shared(tenant);
        this.#requireManager(me.role, req.role);
        const invitee = this.users.get(req.email);
        if (invitee && this.#member(tenant.id, invitee.id)) {
          throw new ConnectError(`${req.email} is already a member of this tenant`, Code.AlreadyExists);
        }
        return { invitation: this.#invitationMessage(this.invite(tenant.id, req.email, req.role)) };
      },
      listMyInvitations: (req, ctx) => {
        record("ListMyInvitations", req, ctx.requestHeader);
        const user = this.#userById(this.#callerOf(ctx.requestHeader).userId);
        const open = this.invitations.filter((i) => i.email === user.email && !i.accepted);
        return { invitations: open.map((i) => this.#invitationMessage(i)) };
      },
      acceptInvitation: (req, ctx) => {
        record("AcceptInvitation", req, ctx.requestHeader);
        const user = this.#userById(this.#callerOf(ctx.requestHeader).userId);
        const invitation = this.invitations.find(
          (i) => i.id === req.invitationId && i.email === user.email && !i.accepted,
        );
        const tenant = invitation && this.tenants.get(invitation.tenantId);
        if (!invitation || !tenant) throw new ConnectError("invitation not found", Code.NotFound);
        if (this.#member(tenant.id, user.id)) {
          throw new ConnectError("you are already a member of this tenant", Code.AlreadyExists);
        }
        invitation.accepted = true;
        this.addMember(tenant.id, user.id, invitation.role);
        return { membership: { tenant: this.#tenantMessage(tenant), role: invitation.role } };
      },
      changeMemberRole: (req, ctx) => {
        record("ChangeMemberRole", req, ctx.requestHeader);
        const { tenant, me } = this.#membership(ctx, req.tenantId);
        this.#shared(tenant);
        const member = this.#member(tenant.id, req.userId);
        if (!member) throw new ConnectError("not a member of this tenant", Code.NotFound);
        this.#requireManager(me.role, member.role, req.role);
        if (req.role !== Role.OWNER) this.#notLastOwner(member, "demoted");
        member.role = req.role;
        return { member: this.#memberMessage(member) };
      },
      removeMember: (req, ctx) => {
        record("RemoveMember", req, ctx.requestHeader);
        const { tenant, me } = this.#membership(ctx, req.tenantId);
        this.#shared(tenant);
        const member = this.#member(tenant.id, req.userId);
        if (!member) throw new ConnectError("not a member of this tenant", Code.NotFound);
        this.#requireManager(me.role, member.role);
        this.#drop(member);
        return {};
      },
      leaveTenant: (req, ctx) => {
        record("LeaveTenant", req, ctx.requestHeader);
        const { tenant, me } = this.#membership(ctx, req.tenantId);
        this.#shared(tenant);
        this.#drop(me);
        return {};
      },
      switchTenant: (req, ctx) => {
        record("SwitchTenant", req, ctx.requestHeader);
        const { tenant, me } = this.#membership(ctx, req.tenantId);
        const login = this.#rotate(req.refreshToken);
        if (login.userId !== me.userId) {
          throw new ConnectError("the refresh token is not valid", Code.Unauthenticated);
        }
        login.tenantId = tenant.id;
        return {
          session: this.#issue(login),
          membership: { tenant: this.#tenantMessage(tenant), role: me.role },
        };
      },
      deleteTenant: (req, ctx) => {
        record("DeleteTenant", req, ctx.requestHeader);
        const { tenant, me } = this.#membership(ctx, req.tenantId);
        this.#shared(tenant);
        if (me.role !== Role.OWNER)
          throw new ConnectError("only owners can delete a tenant", Code.PermissionDenied);
        this.tenants.delete(tenant.id);
        this.memberships = this.memberships.filter((m) => m.tenantId !== tenant.id);
        this.invitations = this.invitations.filter((i) => i.tenantId !== tenant.id);
        this.#revokeLogins(tenant.id);
        return {};
      },
    });
    router.service(SongService, {
      createSong: (req, ctx) => {
        record("CreateSong", req, ctx.requestHeader);
        const caller = this.#writer(ctx.requestHeader);
        const song: { name: string; artist: string; year?: number } = req.song ?? { name: "", artist: "" };
        this.#checkSong(song, ["name", "artist", "year"]);
        return {
          song: this.#storeSong(
            caller.tenantId,
            song.name.trim(),
            song.artist.trim(),
            song.year,
            caller.userId,
          ),
        };
      },
      getSong: (req, ctx) => {
        const caller = this.#callerOf(ctx.requestHeader);
        const song = this.#tenantSong(caller.tenantId, req.id);
        if (!song) throw new ConnectError("song not found", Code.NotFound);
        return { song };
      },
      listSongs: (req, ctx) => {
        record("ListSongs", req, ctx.requestHeader);
        const caller = this.#callerOf(ctx.requestHeader);
        const songs = this.songsOf(caller.tenantId);
        const size = req.pageSize || 20;
        const start = req.pageToken ? songs.findIndex((s) => s.id === req.pageToken) + 1 : 0;
        const page = songs.slice(start, start + size);
        const more = start + size < songs.length;
        return {
          songs: page,
          nextPageToken: more ? (page[page.length - 1]?.id ?? "") : "",
          totalSize: songs.length,
        };
      },
      updateSong: (req, ctx) => {
        record("UpdateSong", req, ctx.requestHeader);
        const caller = this.#writer(ctx.requestHeader);
        const song = this.#tenantSong(caller.tenantId, req.song?.id);
        if (!song || !req.song) throw new ConnectError("song not found", Code.NotFound);
        const paths = req.updateMask?.paths ?? [];
        this.#checkSong(req.song, paths);
        if (paths.includes("name")) song.name = req.song.name;
        if (paths.includes("artist")) song.artist = req.song.artist;
        if (paths.includes("year")) song.year = req.song.year;
        return { song };
      },
      importSongs: (req, ctx) => {
        record("ImportSongs", req, ctx.requestHeader);
        return { operation: this.imports.start(req, ctx.requestHeader) };
      },
      deleteSong: (req, ctx) => {
        record("DeleteSong", req, ctx.requestHeader);
        const caller = this.#writer(ctx.requestHeader);
        const song = this.#tenantSong(caller.tenantId, req.id);
        if (!song) throw new ConnectError("song not found", Code.NotFound);
        this.songs.splice(this.songs.indexOf(song), 1);
        this.songTenants.delete(song.id);
        return {};
      },
    });
    this.imports.routes(router);
  }
}
