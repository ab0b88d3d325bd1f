import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { ChangeType } from "../gen/chorus/resource/v1/change_type_pb";
import {
  SongSchema,
  WatchSongsResponseSchema,
  type WatchSongsResponse,
} from "../gen/chorus/resource/v1/song_service_pb";
import { FIRST_RETRY_MS } from "../api/reconnecting";
import { followSongs, type LiveStatus, type SongWatcher } from "./liveSongs";

function event(type: ChangeType, cursor: string, name = ""): WatchSongsResponse {
  return create(WatchSongsResponseSchema, {
    type,
    cursor,
    song: name ? create(SongSchema, { id: `id-${name}`, name }) : undefined,
  });
}

/** A fake SongService: each call plays the next script (events, then maybe an error). */
function scripted(scripts: { events: WatchSongsResponse[]; error?: ConnectError }[]) {
  const cursors: string[] = [];
  const watcher: SongWatcher = {
    async *watchSongs(request) {
      cursors.push(request.cursor ?? "");
      const script = scripts.shift();
      if (!script) throw new ConnectError("no more scripts", Code.Canceled);
      for (const e of script.events) yield await Promise.resolve(e);
      if (script.error) throw script.error;
    },
  };
  return { watcher, cursors };
}

describe("followSongs", () => {
  it("reports live, passes changes on, and resumes with the last cursor after a drop", async () => {
    const stop = new AbortController();
    const { watcher, cursors } = scripted([
      {
        events: [event(ChangeType.CAUGHT_UP, "1.0"), event(ChangeType.CREATED, "2.0", "a")],
        error: new ConnectError("token expired", Code.Unauthenticated),
      },
      { events: [event(ChangeType.UPDATED, "3.0", "a")] },
    ]);
    const statuses: LiveStatus[] = [];
    const changes: string[] = [];
    const waits: number[] = [];

    await followSongs(watcher, {
      signal: stop.signal,
      onStatus: (s) => statuses.push(s),
      onChange: (e) => {
        changes.push(`${e.type}:${e.song?.name}`);
        if (changes.length === 2) stop.abort();
      },
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });

    expect(cursors).toEqual(["", "2.0"]);
    expect(changes).toEqual([`${ChangeType.CREATED}:a`, `${ChangeType.UPDATED}:a`]);
    expect(statuses).toEqual(["connecting", "live", "reconnecting"]);
    expect(waits).toEqual([FIRST_RETRY_MS]);
  });

  it("backs off while the server stays away, and starts over when history is lost", async () => {
    const stop = new AbortController();
    const away = new ConnectError("unavailable", Code.Unavailable);
    const { watcher, cursors } = scripted([
      { events: [event(ChangeType.CAUGHT_UP, "5.0")], error: away },
      { events: [], error: away },
      { events: [], error: new ConnectError("too old", Code.FailedPrecondition) },
      { events: [event(ChangeType.CAUGHT_UP, "9.0")] },
    ]);
    const waits: number[] = [];
    let reloads = 0;

    await followSongs(watcher, {
      signal: stop.signal,
      onStatus: () => {},
      onChange: (e) => {
        if (e.type === ChangeType.UNSPECIFIED) reloads += 1;
      },
      sleep: (ms) => {
        waits.push(ms);
        if (waits.length === 4) stop.abort();
        return Promise.resolve();
      },
    });

    expect(cursors).toEqual(["", "5.0", "5.0", ""]);
    expect(waits).toEqual([1000, 2000, 4000, 1000]); // an event resets the wait
    expect(reloads).toBe(1);
  });
});
