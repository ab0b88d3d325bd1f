import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { OperationSchema, OperationState } from "../gen/chorus/resource/v1/operation_service_pb";
import { count, percentDone, rowsText, stateSentence, unlistedSentence } from "./importReport";
import type { ImportEntry } from "./importState";

function entry(
  fields: MessageInitShape<typeof OperationSchema>,
  more: Partial<ImportEntry> = {},
): ImportEntry {
  return {
    operation: create(OperationSchema, { name: "operations/a", state: OperationState.RUNNING, ...fields }),
    fileName: "songs.csv",
    connection: "live",
    cancelling: false,
    lost: "",
    ...more,
  };
}

describe("import report", () => {
  it("counts rows and songs in words", () => {
    expect(count(1, "song")).toBe("1 song");
    expect(count(1200, "song")).toBe("1,200 songs");
    expect(count(0, "row")).toBe("0 rows");
    expect(rowsText(entry({ rowsDone: 1200, rowsTotal: 10_000 }).operation)).toBe("1,200 of 10,000 rows");
  });

  it("gives the progress in whole percent, full once done", () => {
    expect(percentDone(entry({ rowsDone: 1, rowsTotal: 3 }).operation)).toBe(33);
    expect(percentDone(entry({ rowsTotal: 0 }).operation)).toBe(0);
    expect(percentDone(entry({ rowsTotal: 0, done: true }).operation)).toBe(100);
  });

  it("says where a running import is", () => {
    expect(stateSentence(entry({}))).toBe("Importing…");
    expect(stateSentence(entry({}, { connection: "reconnecting" }))).toBe(
      "Importing… Reconnecting to follow its progress.",
    );
    expect(stateSentence(entry({}, { cancelling: true }))).toBe(
      "Cancelling: the import stops after its current batch of rows…",
    );
    expect(stateSentence(entry({}, { lost: "Its progress can't be followed." }))).toBe(
      "Its progress can't be followed.",
    );
  });

  it("says how a finished import ended, and what stays", () => {
    const counts = { rowsTotal: 10, rowsDone: 10, rowsImported: 8, rowsRejected: 2, done: true };
    expect(stateSentence(entry({ ...counts, state: OperationState.SUCCEEDED }))).toBe(
      "Done: 8 songs imported, 2 rows rejected.",
    );
    expect(
      stateSentence(entry({ ...counts, rowsImported: 10, rowsRejected: 0, state: OperationState.SUCCEEDED })),
    ).toBe("Done: 10 songs imported.");
    expect(
      stateSentence(entry({ ...counts, rowsDone: 4, rowsImported: 1, state: OperationState.CANCELLED })),
    ).toBe("Cancelled after 4 of 10 rows. The 1 song imported before that stays.");
    expect(
      stateSentence(
        entry({
          ...counts,
          rowsDone: 4,
          rowsImported: 4,
          state: OperationState.FAILED,
          error: "the database went away",
        }),
      ),
    ).toBe("The import failed: The database went away. The 4 songs imported before that stay.");
  });

  it("says how many rejected rows the server did not list", () => {
    const errors = ["line 2: name must not be empty or blank"];
    expect(unlistedSentence(entry({ rowsRejected: 1, rowErrors: errors }).operation)).toBe("");
    expect(unlistedSentence(entry({ rowsRejected: 24, rowErrors: errors }).operation)).toBe(
      "…and 23 more rejected rows.",
    );
  });
});
