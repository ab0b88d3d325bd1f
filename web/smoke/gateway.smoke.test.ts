/**
 * Smoke test of the real stack through the gateway, from Node: the app's own
 * clients (gRPC-Web via Connect-ES), no browser. Not part of `npm test`:
 *
 *   CHORUS_GATEWAY_URL=http://127.0.0.1:8080 npm run smoke
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { createServices, grpcWebTransports } from "../src/api/services";
import { memoryRefreshTokenStore } from "../src/auth/refreshTokenStore";
import { fieldViolations } from "../src/errors/formErrors";
import { Role } from "../src/gen/chorus/auth/v1/auth_service_pb";
import { songErrors } from "../src/songs/songErrors";
import { signUpErrors } from "../src/auth/authErrors";
import { gatewayUrlFrom } from "../src/config";

const gateway = gatewayUrlFrom(process.env.CHORUS_GATEWAY_URL);

async function failure(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("the call succeeded");
}

describe(`the stack behind ${gateway}`, () => {
  it("signs up, manages songs with paging and masks, refreshes and logs out", async () => {
    const store = memoryRefreshTokenStore();
    const { auth, account, songs, session } = createServices(grpcWebTransports(gateway), store);
    const email = `smoke-${Date.now()}@example.com`;

    // The contract's rules (the password's length) come first; then the service checks the email.
    const bad = await failure(auth.signUp({ email: "nope", password: "short" }));
    expect(bad.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(bad).map((v) => v.field)).toEqual(["password"]);
    expect(signUpErrors(bad).fields.password).toBe("Password must be at least 8 characters.");
    const badEmail = await failure(auth.signUp({ email: "nope", password: "password1x" }));
    expect(fieldViolations(badEmail).map((v) => v.field)).toEqual(["email"]);

    const signedUp = await auth.signUp({ email, password: "password1x" });
    expect(signedUp.session?.accessToken).toBeTruthy();
    session.start(signedUp.session!);

    const me = await account.whoAmI({});
    expect(me.user?.email).toBe(email);
    expect(me.role).toBe(Role.OWNER);
    expect(me.tenantId).toBeTruthy();

    const invalid = await failure(songs.createSong({ song: { name: " ", artist: "X", year: 3000 } }));
    expect(songErrors(invalid).fields).toEqual({
      name: "Name must not be empty or blank.",
      year: "Year must be greater than or equal to 1000 and less than or equal to 2100.",
    });

    const requestId = crypto.randomUUID();
    const first = await songs.createSong({
      song: { name: "Aberdeen", artist: "Cage the Elephant", year: 2011 },
      requestId,
    });
    const retried = await songs.createSong({
      song: { name: "Aberdeen", artist: "Cage the Elephant", year: 2011 },
      requestId,
    });
    expect(retried.song?.id).toBe(first.song?.id);
    await songs.createSong({ song: { name: "Trouble", artist: "Cage the Elephant" } });
    await songs.createSong({ song: { name: "Cigarette Daydreams", artist: "Cage the Elephant" } });

    const page1 = await songs.listSongs({ pageSize: 2 });
    expect(page1.songs.map((s) => s.name)).toEqual(["Aberdeen", "Trouble"]);
    const page2 = await songs.listSongs({ pageSize: 2, pageToken: page1.nextPageToken });
    expect(page2.songs.map((s) => s.name)).toEqual(["Cigarette Daydreams"]);
    expect(page2.nextPageToken).toBe("");

    const updated = await songs.updateSong({
      song: { id: first.song!.id, name: "ignored", artist: "ignored", year: 2012 },
      updateMask: { paths: ["year"] },
    });
    expect(updated.song).toMatchObject({ name: "Aberdeen", artist: "Cage the Elephant", year: 2012 });

    await songs.deleteSong({ id: first.song!.id });
    expect((await failure(songs.getSong({ id: first.song!.id }))).code).toBe(Code.NotFound);

    const before = store.read();
    expect(await session.refresh()).toBeTruthy();
    expect(store.read()).not.toBe(before);
    expect((await account.whoAmI({})).user?.email).toBe(email);

    const refreshToken = store.read()!;
    await session.logOut();
    expect((await failure(auth.refresh({ refreshToken }))).code).toBe(Code.Unauthenticated);
    expect((await failure(songs.listSongs({}))).code).toBe(Code.Unauthenticated);
    session.dispose();
  });
});
