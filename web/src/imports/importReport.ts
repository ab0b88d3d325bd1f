/** What the page says about an import: its progress, counts and outcome, in words. */
import { asSentence } from "../errors/sentences";
import { type Operation, OperationState } from "../gen/chorus/resource/v1/operation_service_pb";
import type { ImportEntry } from "./importState";

/** "1 song", "1,200 songs". */
export function count(n: number, noun: string): string {
  return `${n.toLocaleString()} ${noun}${n === 1 ? "" : "s"}`;
}

/** Whole percent of the rows handled (100 once done, even for an empty document). */
export function percentDone(operation: Operation): number {
  if (operation.rowsTotal === 0) return operation.done ? 100 : 0;
  return Math.floor((operation.rowsDone * 100) / operation.rowsTotal);
}

/** "1,200 of 10,000 rows": the progress bar's value in words. */
export function rowsText(operation: Operation): string {
  return `${operation.rowsDone.toLocaleString()} of ${count(operation.rowsTotal, "row")}`;
}

/** Where the import is now, in one sentence. */
export function stateSentence(entry: ImportEntry): string {
  const { operation: op } = entry;
  const kept = `The ${count(op.rowsImported, "song")} imported before that ${op.rowsImported === 1 ? "stays" : "stay"}.`;
  switch (op.state) {
    case OperationState.SUCCEEDED:
      return op.rowsRejected
        ? `Done: ${count(op.rowsImported, "song")} imported, ${count(op.rowsRejected, "row")} rejected.`
        : `Done: ${count(op.rowsImported, "song")} imported.`;
    case OperationState.CANCELLED:
      return `Cancelled after ${rowsText(op)}. ${kept}`;
    case OperationState.FAILED:
      return `The import failed: ${asSentence(op.error) || "the server gave no reason."} ${kept}`;
    default:
      if (entry.lost) return entry.lost;
      if (entry.cancelling) return "Cancelling: the import stops after its current batch of rows…";
      if (entry.connection === "reconnecting") return "Importing… Reconnecting to follow its progress.";
      return "Importing…";
  }
}

/** Said under the rejected lines when the server listed only some of them, else "". */
export function unlistedSentence(operation: Operation): string {
  const unlisted = operation.rowsRejected - operation.rowErrors.length;
  return unlisted > 0 ? `…and ${count(unlisted, "more rejected row")}.` : "";
}
