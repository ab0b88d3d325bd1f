import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it, vi } from "vitest";
import { SongService } from "../gen/chorus/resource/v1/song_service_pb";
import { authInterceptor } from "./authInterceptor";

/** A SongService that accepts only the bearer token `good`. */
function transportWith(tokens: Parameters<typeof authInterceptor>[0], seen: (string | null)[]) {
  return createRouterTransport(
    ({ service }) =>
      service(SongService, {
        listSongs: (_req, ctx) => {
          const auth = ctx.requestHeader.get("authorization");
          seen.push(auth);
          if (auth !== "Bearer good")
            throw new ConnectError("the access token has expired", Code.Unauthenticated);
          return { songs: [] };
        },
      }),
    { transport: { interceptors: [authInterceptor(tokens)] } },
  );
}

describe("authInterceptor", () => {
  it("sends the access token as a bearer token", async () => {
    const seen: (string | null)[] = [];
    const tokens = { accessToken: () => Promise.resolve("good"), tokenRejected: vi.fn() };
    await createClient(SongService, transportWith(tokens, seen)).listSongs({});
    expect(seen).toEqual(["Bearer good"]);
    expect(tokens.tokenRejected).not.toHaveBeenCalled();
  });

  it("refreshes once on UNAUTHENTICATED and retries with the new token", async () => {
    const seen: (string | null)[] = [];
    const tokens = {
      accessToken: () => Promise.resolve("stale"),
      tokenRejected: vi.fn(() => Promise.resolve("good")),
    };
    await createClient(SongService, transportWith(tokens, seen)).listSongs({});
    expect(tokens.tokenRejected).toHaveBeenCalledWith("stale");
    expect(seen).toEqual(["Bearer stale", "Bearer good"]);
  });

  it("gives up after one retry", async () => {
    const seen: (string | null)[] = [];
    const tokens = {
      accessToken: () => Promise.resolve("stale"),
      tokenRejected: vi.fn(() => Promise.resolve("also-bad")),
    };
    await expect(createClient(SongService, transportWith(tokens, seen)).listSongs({})).rejects.toMatchObject({
      code: Code.Unauthenticated,
    });
    expect(seen).toHaveLength(2);
  });

  it("passes the error on when the session is over", async () => {
    const seen: (string | null)[] = [];
    const tokens = {
      accessToken: () => Promise.resolve("stale"),
      tokenRejected: vi.fn(() => Promise.resolve(null)),
    };
    await expect(createClient(SongService, transportWith(tokens, seen)).listSongs({})).rejects.toMatchObject({
      code: Code.Unauthenticated,
    });
    expect(seen).toEqual(["Bearer stale"]);
  });

  it("sends no header without a session", async () => {
    const seen: (string | null)[] = [];
    const tokens = { accessToken: () => Promise.resolve(null), tokenRejected: vi.fn() };
    await expect(createClient(SongService, transportWith(tokens, seen)).listSongs({})).rejects.toBeInstanceOf(
      ConnectError,
    );
    expect(seen).toEqual([null]);
    expect(tokens.tokenRejected).not.toHaveBeenCalled();
  });
});
