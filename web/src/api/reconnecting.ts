/**
 * Keeping a server stream followed: when it ends or breaks (token expired,
 * server stopping, network gone) it is opened again after a wait of 1 s,
 * doubling up to 30 s; every message that arrives resets the wait.
 */

export const FIRST_RETRY_MS = 1_000;
export const MAX_RETRY_MS = 30_000;

/** Waits `ms` or until `signal` aborts. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** The options of a server-streaming call (a generated client's). */
export interface StreamCallOptions {
  signal: AbortSignal;
  timeoutMs?: number;
}

/** What every follower of a stream takes: when to stop, and how to wait between tries. */
export interface Following {
  signal: AbortSignal;
  /** Tests pass a faster one. */
  sleep?: Sleep;
}

export interface ReconnectOptions {
  signal: AbortSignal;
  /** The stream ended (`error` undefined) or broke, and will be opened again after a wait. */
  onDrop: (error: unknown) => void;
  /** False for an error that no retry can mend: it is thrown. Default: retry every error. */
  retryable?: (error: unknown) => boolean;
  /** Tests pass a faster one. */
  sleep?: Sleep;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Calls `open` again and again until it returns true (the stream is finished
 * for good) or `signal` aborts. `open` calls `received()` for each message.
 */
export async function reconnecting(
  open: (received: () => void) => Promise<boolean>,
  options: ReconnectOptions,
): Promise<void> {
  const { signal, onDrop, retryable = () => true } = options;
  const sleep = options.sleep ?? abortableSleep;
  let retryMs = FIRST_RETRY_MS;
  const received = () => {
    retryMs = FIRST_RETRY_MS;
  };
  while (!signal.aborted) {
    let error: unknown;
    try {
      if (await open(received)) return;
    } catch (err) {
      if (signal.aborted) return;
      if (!retryable(err)) throw err;
      error = err;
    }
    if (signal.aborted) return;
    onDrop(error);
    await sleep(retryMs, signal);
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  }
}
