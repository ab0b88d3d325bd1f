/**
 * The in-memory side of ImportSongs and OperationService, for the fake
 * backend: imports run only when a test says so (`run`), a row at a time,
 * so a test can look at every step; WatchOperation streams follow them and
 * can be dropped (`dropWatches`) as a lost connection would.
 *
 * Like the real services: CSV with a header line (name, artist, year) or a
 * JSON array; a document that can't be read is INVALID_ARGUMENT naming the
 * line; a row that breaks a rule is listed as "line N: …" and the others
 * are imported; a cancel takes effect at the next step; operations are the
 * caller's tenant's only (another's is NOT_FOUND).
 */
import { clone, create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  ImportFormat,
  type Operation,
  OperationSchema,
  OperationService,
  OperationState,
} from "../gen/chorus/resource/v1/operation_service_pb";
import type { ImportSongsRequest } from "../gen/chorus/resource/v1/song_service_pb";
import { BadRequestSchema } from "../gen-rpc/google/rpc/error_details_pb";

/** What an access token says (the fake backend's FakeCaller). */
interface Caller {
  userId: string;
  tenantId: string;
}

interface Row {
  song?: { name: string; artist: string; year?: number };
  error?: string;
}

interface FakeImport {
  operation: Operation;
  tenantId: string;
  rows: Row[];
  cancelRequested: boolean;
}

export interface ImportsHost {
  /** The caller of a request (UNAUTHENTICATED if none). */
  caller(header: Headers): Caller;
  /** The caller, if it may change songs (PERMISSION_DENIED for viewers). */
  writer(header: Headers): Caller;
  /** Store a song in a tenant. */
  store(tenantId: string, song: { name: string; artist: string; year?: number }, userId: string): void;
}

function unreadable(description: string): ConnectError {
  return new ConnectError(`invalid document: ${description}`, Code.InvalidArgument, undefined, [
    { desc: BadRequestSchema, value: { fieldViolations: [{ field: "document", description }] } },
  ]);
}

/** `label` names the row in errors: "line 3" (CSV), "item 2" (JSON). */
function checked(label: string, values: { name?: unknown; artist?: unknown; year?: unknown }): Row {
  const name = typeof values.name === "string" ? values.name : "";
  const artist = typeof values.artist === "string" ? values.artist : "";
  const year = values.year === undefined || values.year === "" ? undefined : Number(values.year);
  if (!name.trim()) return { error: `${label}: name must not be empty or blank` };
  if (!artist.trim()) return { error: `${label}: artist must not be empty or blank` };
  if (year !== undefined && !(year >= 1000 && year <= 2100))
    return { error: `${label}: year must be between 1000 and 2100` };
  return { song: { name, artist, year } };
}

function csvRows(text: string): Row[] {
  const [header, ...lines] = text.split("\n");
  const columns = (header ?? "").split(",").map((c) => c.trim());
  if (columns.some((c) => !["name", "artist", "year"].includes(c)))
    throw unreadable(`line 1: unknown column (columns: name, artist, year)`);
  return lines.flatMap((text, i) => {
    if (!text.trim()) return [];
    const values = text.split(",");
    if (values.length !== columns.length)
      throw unreadable(`line ${i + 2}: has ${values.length} fields, the header ${columns.length}`);
    return [checked(`line ${i + 2}`, Object.fromEntries(columns.map((c, j) => [c, values[j]])))];
  });
}

function jsonRows(text: string): Row[] {
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch {
    throw unreadable("line 1: not valid JSON");
  }
  if (!Array.isArray(items)) throw unreadable("line 1: must be a JSON array of objects");
  return items.map((item, i) => checked(`item ${i + 1}`, item as Record<string, unknown>));
}

export class FakeImports {
  imports: FakeImport[] = [];
  /** A document longer than this is refused as the real gateway's message limit would. */
  maxBytes = 1_048_576;
  #counter = 0;
  #waiting: (() => void)[] = [];
  #dropped = 0;

  constructor(private readonly host: ImportsHost) {}

  start(req: ImportSongsRequest, header: Headers): Operation {
    const caller = this.host.writer(header);
    if (req.document.length > this.maxBytes) {
      throw new ConnectError(
        `SERVER: Received message larger than max (${req.document.length + 5} vs. ${this.maxBytes})`,
        Code.ResourceExhausted,
      );
    }
    const text = new TextDecoder().decode(req.document);
    const rows = req.format === ImportFormat.JSON ? jsonRows(text) : csvRows(text);
    const now = timestampFromMs(Date.now());
    const operation = create(OperationSchema, {
      name: `operations/op-${++this.#counter}`,
      kind: "ImportSongs",
      state: OperationState.RUNNING,
      rowsTotal: rows.length,
      createTime: now,
      updateTime: now,
      createdBy: caller.userId,
    });
    this.imports.push({ operation, tenantId: caller.tenantId, rows, cancelRequested: false });
    return operation;
  }

  /** Handle up to `rows` more rows of every running import (all by default), then stop the cancelled ones. */
  run(rows = Infinity): void {
    for (const running of this.imports.filter((i) => !i.operation.done)) {
      const op = running.operation;
      if (running.cancelRequested) {
        this.#finish(running, OperationState.CANCELLED);
        continue;
      }
      for (const row of running.rows.slice(op.rowsDone, op.rowsDone + rows)) {
        if (row.song) {
          this.host.store(running.tenantId, row.song, op.createdBy);
          op.rowsImported += 1;
        } else {
          op.rowsRejected += 1;
          op.rowErrors.push(row.error ?? "");
        }
        op.rowsDone += 1;
      }
      op.updateTime = timestampFromMs(Date.now());
      if (op.rowsDone === op.rowsTotal) this.#finish(running, OperationState.SUCCEEDED);
    }
    this.#notify();
  }

  /** End every open WatchOperation stream with UNAVAILABLE, as a dropped connection would. */
  dropWatches(): void {
    this.#dropped += 1;
    this.#notify();
  }

  routes(router: ConnectRouter): void {
    router.service(OperationService, {
      getOperation: (req, ctx) => ({ operation: this.#own(req.name, ctx).operation }),
      listOperations: (_req, ctx) => {
        const { tenantId } = this.host.caller(ctx.requestHeader);
        const mine = this.imports.filter((i) => i.tenantId === tenantId).reverse();
        return { operations: mine.map((i) => i.operation) };
      },
      watchOperation: (req, ctx) => this.#watch(req.name, ctx),
      cancelOperation: (req, ctx) => {
        this.host.writer(ctx.requestHeader);
        const found = this.#own(req.name, ctx);
        if (!found.operation.done) found.cancelRequested = true;
        return { operation: found.operation };
      },
    });
  }

  #finish(running: FakeImport, state: OperationState): void {
    running.operation.state = state;
    running.operation.done = true;
  }

  #notify(): void {
    this.#waiting.splice(0).forEach((wake) => wake());
  }

  /** Resolves at the next change, or when the call is over. */
  #nextChange(signal: AbortSignal): Promise<void> {
    return new Promise((wake) => {
      this.#waiting.push(wake);
      signal.addEventListener("abort", () => wake());
    });
  }

  #own(name: string, ctx: HandlerContext): FakeImport {
    const { tenantId } = this.host.caller(ctx.requestHeader);
    const found = this.imports.find((i) => i.operation.name === name && i.tenantId === tenantId);
    if (!found) throw new ConnectError(`operation ${name} not found`, Code.NotFound);
    return found;
  }

  async *#watch(name: string, ctx: HandlerContext) {
    const found = this.#own(name, ctx);
    const dropped = this.#dropped;
    let sent = "";
    for (;;) {
      const now = clone(OperationSchema, found.operation);
      const seen = JSON.stringify([now.rowsDone, now.state]);
      if (seen !== sent) {
        sent = seen;
        yield { operation: now };
      }
      if (now.done) return;
      await this.#nextChange(ctx.signal);
      if (ctx.signal.aborted) return;
      if (this.#dropped !== dropped) throw new ConnectError("the connection was lost", Code.Unavailable);
    }
  }
}
