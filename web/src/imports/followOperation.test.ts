import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  OperationSchema,
  OperationState,
  WatchOperationResponseSchema,
  type WatchOperationResponse,
} from "../gen/chorus/resource/v1/operation_service_pb";
import { FIRST_RETRY_MS } from "../api/reconnecting";
import { type Connection, followOperation, type OperationWatcher } from "./followOperation";

function progress(rowsDone: number, done = false): WatchOperationResponse {
  return create(WatchOperationResponseSchema, {
    operation: create(OperationSchema, {
      name: "operations/a",
      rowsDone,
      rowsTotal: 10,
      done,
      state: done ? OperationState.SUCCEEDED : OperationState.RUNNING,
    }),
  });
}

/** A fake OperationService: each WatchOperation plays the next script (messages, then maybe an error). */
function scripted(scripts: { messages: WatchOperationResponse[]; error?: ConnectError }[]) {
  let calls = 0;
  const watcher: OperationWatcher = {
    async *watchOperation() {
      calls += 1;
      const script = scripts.shift();
      if (!script) throw new ConnectError("no more scripts", Code.Canceled);
      for (const m of script.messages) yield await Promise.resolve(m);
      if (script.error) throw script.error;
    },
  };
  return { watcher, calls: () => calls };
}

describe("followOperation", () => {
  it("reports each state until done, watching again after a drop or an early end", async () => {
    const away = new ConnectError("unavailable", Code.Unavailable);
    const { watcher, calls } = scripted([
      { messages: [progress(0), progress(4)], error: away },
      { messages: [], error: away },
      { messages: [progress(6)] }, // ended without done (token expired): watch again
      { messages: [progress(8), progress(10, true)] },
    ]);
    const seen: number[] = [];
    const connections: Connection[] = [];
    const waits: number[] = [];

    await followOperation(watcher, "operations/a", {
      signal: new AbortController().signal,
      onUpdate: (op) => seen.push(op.rowsDone),
      onConnection: (c) => connections.push(c),
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });

    expect(seen).toEqual([0, 4, 6, 8, 10]);
    expect(calls()).toBe(4);
    expect(waits).toEqual([FIRST_RETRY_MS, 2 * FIRST_RETRY_MS, FIRST_RETRY_MS]); // a message resets the wait
    expect(connections.at(-1)).toBe("live");
    expect(connections.filter((c) => c === "reconnecting")).toHaveLength(3);
  });

  it("gives up on an operation that is not there", async () => {
    const { watcher, calls } = scripted([{ messages: [], error: new ConnectError("gone", Code.NotFound) }]);
    const following = followOperation(watcher, "operations/a", {
      signal: new AbortController().signal,
      onUpdate: () => {},
      onConnection: () => {},
      sleep: () => Promise.resolve(),
    });
    await expect(following).rejects.toMatchObject({ code: Code.NotFound });
    expect(calls()).toBe(1);
  });

  it("stops when told to, without watching again", async () => {
    const stop = new AbortController();
    const { watcher, calls } = scripted([
      { messages: [progress(1)], error: new ConnectError("unavailable", Code.Unavailable) },
    ]);
    await followOperation(watcher, "operations/a", {
      signal: stop.signal,
      onUpdate: () => stop.abort(),
      onConnection: () => {},
      sleep: () => Promise.resolve(),
    });
    expect(calls()).toBe(1);
  });
});
