/**
 * Following one long-running operation (WatchOperation through the gateway).
 *
 * The stream sends the operation as it is, then again at each change, and
 * ends when it is done. When it ends early or breaks (token expired, server
 * stopping, network gone) the follower reports "reconnecting" and watches
 * again after a wait (`api/reconnecting.ts`); the first message of the new
 * stream is the operation as it is by then, so nothing needs resuming. An
 * operation that is not there (or not this caller's to see) is thrown.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { type Following, reconnecting, type StreamCallOptions } from "../api/reconnecting";
import type { Operation, WatchOperationResponse } from "../gen/chorus/resource/v1/operation_service_pb";

export type Connection = "live" | "reconnecting";

/** The one call `followOperation` needs (an OperationService client has it). */
export interface OperationWatcher {
  watchOperation(
    request: { name: string },
    options: StreamCallOptions,
  ): AsyncIterable<WatchOperationResponse>;
}

export interface FollowOperationOptions extends Following {
  onUpdate: (operation: Operation) => void;
  onConnection: (connection: Connection) => void;
}

const FINAL = new Set([Code.NotFound, Code.InvalidArgument, Code.PermissionDenied]);

/** Follow `name` until it is done or `signal` aborts. */
export async function followOperation(
  operations: OperationWatcher,
  name: string,
  options: FollowOperationOptions,
): Promise<void> {
  const { onUpdate, onConnection, signal } = options;
  await reconnecting(
    async (received) => {
      // No deadline: the stream lasts as long as the operation (or the token).
      for await (const { operation } of operations.watchOperation({ name }, { signal, timeoutMs: 0 })) {
        if (!operation) continue;
        received();
        onConnection("live");
        onUpdate(operation);
        if (operation.done) return true;
      }
      return false;
    },
    {
      signal,
      sleep: options.sleep,
      retryable: (error) => !FINAL.has(ConnectError.from(error).code),
      onDrop: () => onConnection("reconnecting"),
    },
  );
}
