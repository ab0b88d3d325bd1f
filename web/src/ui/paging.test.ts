import { describe, expect, it } from "vitest";
import type { PagingState } from "./paging";
import { currentPageToken, firstPage, hasPreviousPage, pageNumber, pagingReducer } from "./paging";

function walk(...tokens: string[]): PagingState {
  return tokens.reduce(
    (state, nextPageToken) => pagingReducer(state, { type: "next", nextPageToken }),
    firstPage,
  );
}

describe("paging", () => {
  it("starts on page 1 with an empty page token", () => {
    expect(pageNumber(firstPage)).toBe(1);
    expect(currentPageToken(firstPage)).toBe("");
    expect(hasPreviousPage(firstPage)).toBe(false);
  });

  it("goes forward with next_page_token and back through the tokens seen", () => {
    const third = walk("t2", "t3");
    expect(pageNumber(third)).toBe(3);
    expect(currentPageToken(third)).toBe("t3");
    const second = pagingReducer(third, { type: "previous" });
    expect(currentPageToken(second)).toBe("t2");
    const first = pagingReducer(second, { type: "previous" });
    expect(currentPageToken(first)).toBe("");
    expect(hasPreviousPage(first)).toBe(false);
  });

  it("stays put on the last page (empty next_page_token) and on the first going back", () => {
    const state = walk("t2");
    expect(pagingReducer(state, { type: "next", nextPageToken: "" })).toBe(state);
    expect(pagingReducer(firstPage, { type: "previous" })).toBe(firstPage);
  });

  it("returns to the first page", () => {
    expect(pagingReducer(walk("t2", "t3"), { type: "first" })).toEqual(firstPage);
  });

  it("steps back when a delete empties a later page, not otherwise", () => {
    const state = walk("t2");
    expect(currentPageToken(pagingReducer(state, { type: "deleted", itemsLeft: 0 }))).toBe("");
    expect(pagingReducer(state, { type: "deleted", itemsLeft: 3 })).toBe(state);
    expect(pagingReducer(firstPage, { type: "deleted", itemsLeft: 0 })).toBe(firstPage);
  });
});
