import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { OperationSchema, OperationState } from "../gen/chorus/resource/v1/operation_service_pb";
import { IMPORT_KIND, type Imports, importsReducer, isNewer } from "./importState";

function op(name: string, fields: MessageInitShape<typeof OperationSchema> = {}) {
  return create(OperationSchema, {
    name,
    kind: IMPORT_KIND,
    state: OperationState.RUNNING,
    rowsTotal: 100,
    ...fields,
  });
}

const names = (imports: Imports) => imports.map((e) => e.operation.name);

describe("importsReducer", () => {
  it("follows the tenant's unfinished imports it is told of, once each", () => {
    const listed = [
      op("operations/running"),
      op("operations/done", { done: true, state: OperationState.SUCCEEDED }),
      op("operations/purge", { kind: "PurgeTenant" }),
    ];
    let imports = importsReducer([], { type: "found", operations: listed });
    expect(names(imports)).toEqual(["operations/running"]);
    expect(imports[0]).toMatchObject({ fileName: "", connection: "live", cancelling: false, lost: "" });

    imports = importsReducer(imports, { type: "found", operations: listed });
    expect(names(imports)).toEqual(["operations/running"]);
  });

  it("puts an import started here first, with its file name, and never twice", () => {
    let imports = importsReducer([], { type: "found", operations: [op("operations/older")] });
    imports = importsReducer(imports, {
      type: "started",
      operation: op("operations/new"),
      fileName: "a.csv",
    });
    imports = importsReducer(imports, {
      type: "started",
      operation: op("operations/new"),
      fileName: "a.csv",
    });
    expect(names(imports)).toEqual(["operations/new", "operations/older"]);
    expect(imports[0]?.fileName).toBe("a.csv");
    // ListOperations answering after the start does not add it again
    imports = importsReducer(imports, { type: "found", operations: [op("operations/new")] });
    expect(names(imports)).toEqual(["operations/new", "operations/older"]);
  });

  it("takes progress, but never goes back and never reopens a finished import", () => {
    let imports = importsReducer([], { type: "started", operation: op("operations/a"), fileName: "a.csv" });
    const update = (fields: MessageInitShape<typeof OperationSchema>) => {
      imports = importsReducer(imports, { type: "updated", operation: op("operations/a", fields) });
      return imports[0]?.operation;
    };
    expect(update({ rowsDone: 40 })?.rowsDone).toBe(40);
    expect(update({ rowsDone: 20 })?.rowsDone).toBe(40); // an older reply, late
    expect(update({ rowsDone: 60, state: OperationState.CANCELLED, done: true })?.state).toBe(
      OperationState.CANCELLED,
    );
    expect(update({ rowsDone: 80 })?.state).toBe(OperationState.CANCELLED);
  });

  it("keeps the connection, the cancel request and a lost import per import, and closes one", () => {
    let imports = importsReducer([], { type: "found", operations: [op("operations/a"), op("operations/b")] });
    imports = importsReducer(imports, {
      type: "connection",
      name: "operations/a",
      connection: "reconnecting",
    });
    imports = importsReducer(imports, { type: "cancelling", name: "operations/b", cancelling: true });
    imports = importsReducer(imports, { type: "lost", name: "operations/b", sentence: "Gone." });
    expect(imports.map((e) => [e.connection, e.cancelling, e.lost])).toEqual([
      ["reconnecting", false, ""],
      ["live", true, "Gone."],
    ]);
    imports = importsReducer(imports, { type: "closed", name: "operations/a" });
    expect(names(imports)).toEqual(["operations/b"]);
  });
});

describe("isNewer", () => {
  it("is false once the current one is done", () => {
    const done = op("operations/a", { done: true, rowsDone: 5 });
    expect(isNewer(done, op("operations/a", { rowsDone: 100, done: true }))).toBe(false);
    expect(isNewer(op("operations/a", { rowsDone: 5 }), op("operations/a", { rowsDone: 5 }))).toBe(true);
  });
});
