/**
 * Following the active tenant's songs live (WatchSongs through the gateway).
 *
 * `followSongs` keeps one stream open: it reports "live" once the server has
 * caught up, calls `onChange` for every created, updated or deleted song, and
 * when the stream ends (token expired, server stopping, network gone) it
 * reports "reconnecting", waits (`api/reconnecting.ts`: 1 s, doubling up to
 * 30 s, reset by the next event) and watches again with the last cursor, so nothing is missed or seen
 * twice. A cursor older than the history kept (FAILED_PRECONDITION) means
 * "reload": `onChange` is called and it watches again from now.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { type Following, reconnecting, type StreamCallOptions } from "../api/reconnecting";
import { ChangeType } from "../gen/chorus/resource/v1/change_type_pb";
import type { WatchSongsRequest, WatchSongsResponse } from "../gen/chorus/resource/v1/song_service_pb";

export type LiveStatus = "connecting" | "live" | "reconnecting";

/** The one call `followSongs` needs (a SongService client has it). */
export interface SongWatcher {
  watchSongs(
    request: Partial<Pick<WatchSongsRequest, "cursor">>,
    options: StreamCallOptions,
  ): AsyncIterable<WatchSongsResponse>;
}

export interface FollowOptions extends Following {
  onChange: (event: WatchSongsResponse) => void;
  onStatus: (status: LiveStatus) => void;
}

/** Watch until `signal` aborts, resuming after every interruption. */
export async function followSongs(songs: SongWatcher, options: FollowOptions): Promise<void> {
  const { onChange, onStatus, signal } = options;
  let cursor = "";
  onStatus("connecting");
  await reconnecting(
    async (received) => {
      // No deadline: the stream stays open until the token expires (the server ends it).
      for await (const event of songs.watchSongs({ cursor }, { signal, timeoutMs: 0 })) {
        cursor = event.cursor;
        received();
        if (event.type === ChangeType.CAUGHT_UP) onStatus("live");
        else onChange(event);
      }
      return false;
    },
    {
      signal,
      sleep: options.sleep,
      onDrop: (error) => {
        if (error && ConnectError.from(error).code === Code.FailedPrecondition) {
          cursor = ""; // history lost: reload what is shown, then follow from now
          onChange({ type: ChangeType.UNSPECIFIED, cursor: "" } as WatchSongsResponse);
        }
        onStatus("reconnecting");
      },
    },
  );
}
