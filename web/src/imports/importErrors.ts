/** ImportSongs and CancelOperation errors as sentences. */
import { Code, ConnectError } from "@connectrpc/connect";
import { fieldViolations } from "../errors/formErrors";
import { asSentence, errorSentence } from "../errors/sentences";
import { fileSize } from "./importFile";

/** A viewer's import or cancel, refused by the resource service. */
export const IMPORT_READ_ONLY =
  "Your role in this tenant only lets you read its songs, not import them. Ask an owner or admin to make you an editor.";

// grpc's own words for a message over the server's limit
const TOO_LARGE = /larger than max \((\d+) vs\. (\d+)\)/;

/** What went wrong with the document itself (its contents, its size), or null for other errors. */
export function documentSentence(reason: unknown): string | null {
  const err = ConnectError.from(reason);
  if (err.code === Code.ResourceExhausted) {
    const sizes = TOO_LARGE.exec(err.rawMessage);
    if (sizes) {
      const [sent, limit] = [Number(sizes[1]), Number(sizes[2])];
      return `The file is too large for one import (${fileSize(sent)}; at most ${fileSize(limit)}). Split it into smaller files.`;
    }
    // the server's own: "the document has 60000 rows, more than the 50000 of one import: split it"
    return asSentence(err.rawMessage) || null;
  }
  if (err.code === Code.InvalidArgument) {
    const found = fieldViolations(err).find((v) => v.field === "document");
    // "line 3: has 2 fields, the header 3"
    if (found) return `The file can't be imported: ${found.description.trim().replace(/[.!?]?$/, ".")}`;
  }
  return null;
}

/** A sentence for a failed ImportSongs or CancelOperation call that is not about the document. */
export function importSentence(reason: unknown): string {
  return ConnectError.from(reason).code === Code.PermissionDenied ? IMPORT_READ_ONLY : errorSentence(reason);
}
