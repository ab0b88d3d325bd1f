/**
 * The imports the Songs page shows, and how each changes.
 *
 * An import is shown while it runs, whoever started it and wherever: those
 * started here, and those the tenant's ListOperations reports unfinished
 * (started before a reload, in another tab, or by another member). Each is
 * then followed with WatchOperation until done, and stays on the page with
 * its counts and rejected lines until it is closed.
 */
import type { Operation } from "../gen/chorus/resource/v1/operation_service_pb";
import type { Connection } from "./followOperation";

/** Operation.kind of a song import. */
export const IMPORT_KIND = "ImportSongs";

export interface ImportEntry {
  operation: Operation;
  /** The name of the file, when the import was started here ("" when found running). */
  fileName: string;
  connection: Connection;
  /** Cancel was asked for: the operation stops after its current batch. */
  cancelling: boolean;
  /** Why the import can't be followed any more (a sentence), or "". */
  lost: string;
}

export type ImportAction =
  | { type: "found"; operations: readonly Operation[] }
  | { type: "started"; operation: Operation; fileName: string }
  | { type: "updated"; operation: Operation }
  | { type: "connection"; name: string; connection: Connection }
  | { type: "cancelling"; name: string; cancelling: boolean }
  | { type: "lost"; name: string; sentence: string }
  | { type: "closed"; name: string };

export type Imports = readonly ImportEntry[];

function entry(operation: Operation, fileName = ""): ImportEntry {
  return { operation, fileName, connection: "live", cancelling: false, lost: "" };
}

/**
 * Whether `next` is news about `current`: a finished operation stays
 * finished, and progress never goes back (replies of different calls can
 * arrive out of order).
 */
export function isNewer(current: Operation, next: Operation): boolean {
  return !current.done && next.rowsDone >= current.rowsDone;
}

function change(imports: Imports, name: string, edit: (entry: ImportEntry) => ImportEntry): Imports {
  return imports.map((e) => (e.operation.name === name ? edit(e) : e));
}

/** Newest first. */
export function importsReducer(imports: Imports, action: ImportAction): Imports {
  switch (action.type) {
    case "found": {
      const known = new Set(imports.map((e) => e.operation.name));
      const running = action.operations.filter(
        (op) => op.kind === IMPORT_KIND && !op.done && !known.has(op.name),
      );
      return [...imports, ...running.map((op) => entry(op))];
    }
    case "started":
      if (imports.some((e) => e.operation.name === action.operation.name)) return imports;
      return [entry(action.operation, action.fileName), ...imports];
    case "updated":
      return change(imports, action.operation.name, (e) =>
        isNewer(e.operation, action.operation) ? { ...e, operation: action.operation } : e,
      );
    case "connection":
      return change(imports, action.name, (e) => ({ ...e, connection: action.connection }));
    case "cancelling":
      return change(imports, action.name, (e) => ({ ...e, cancelling: action.cancelling }));
    case "lost":
      return change(imports, action.name, (e) => ({ ...e, lost: action.sentence }));
    case "closed":
      return imports.filter((e) => e.operation.name !== action.name);
  }
}
