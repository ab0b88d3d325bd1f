import { describe, expect, it } from "vitest";
import { RequestIds, newRequestId } from "./requestId";

describe("request ids", () => {
  it("are UUIDs", () => {
    expect(newRequestId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("stay the same for a retried draft and change for a new one", () => {
    let n = 0;
    const ids = new RequestIds(() => `id-${++n}`);
    expect(ids.for("draft A")).toBe("id-1");
    expect(ids.for("draft A")).toBe("id-1"); // retry after a lost answer
    expect(ids.for("draft B")).toBe("id-2"); // edited before retrying
    ids.done();
    expect(ids.for("draft B")).toBe("id-3"); // the same text added again on purpose
  });
});
