import { describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema } from "../gen-rpc/google/rpc/error_details_pb";
import { IMPORT_READ_ONLY, documentSentence, importSentence } from "./importErrors";

describe("import errors", () => {
  it("says a file over the message limit is too large, with both sizes", () => {
    const err = new ConnectError(
      "SERVER: Received message larger than max (1200020 vs. 1048576)",
      Code.ResourceExhausted,
    );
    expect(documentSentence(err)).toBe(
      "The file is too large for one import (1.1 MB; at most 1.0 MB). Split it into smaller files.",
    );
  });

  it("passes on the server's sentence about too many rows", () => {
    const err = new ConnectError(
      "the document has 60000 rows, more than the 50000 of one import: split it",
      Code.ResourceExhausted,
    );
    expect(documentSentence(err)).toBe(
      "The document has 60000 rows, more than the 50000 of one import: split it.",
    );
  });

  it("names the line of a document that can't be read", () => {
    const err = new ConnectError("invalid document", Code.InvalidArgument, undefined, [
      {
        desc: BadRequestSchema,
        value: {
          fieldViolations: [{ field: "document", description: "line 3: has 2 fields, the header 3" }],
        },
      },
    ]);
    expect(documentSentence(err)).toBe("The file can't be imported: line 3: has 2 fields, the header 3.");
  });

  it("leaves other errors to the form, a viewer's in words of its own", () => {
    expect(documentSentence(new ConnectError("no", Code.PermissionDenied))).toBeNull();
    expect(importSentence(new ConnectError("no", Code.PermissionDenied))).toBe(IMPORT_READ_ONLY);
    expect(importSentence(new ConnectError("down", Code.Unavailable))).toBe(
      "The service is not available right now. Please try again in a moment.",
    );
  });
});
