import { describe, expect, it } from "vitest";
import {
  DEFAULT_PAGE_SIZE,
  DEFAULT_SORT,
  listOrderBy,
  nextSort,
  paramsFrom,
  queryFrom,
  searchFilter,
} from "./songListParams";

describe("song list params", () => {
  it("reads the address and falls back to newest first, 20 a page", () => {
    expect(paramsFrom(new URLSearchParams(""))).toEqual({ search: "", sort: DEFAULT_SORT, pageSize: 20 });
    expect(paramsFrom(new URLSearchParams("q=live&sort=year+desc&size=50"))).toEqual({
      search: "live",
      sort: { field: "year", desc: true },
      pageSize: 50,
    });
    expect(paramsFrom(new URLSearchParams("sort=id&size=7")).sort).toEqual(DEFAULT_SORT);
    expect(paramsFrom(new URLSearchParams("size=7")).pageSize).toBe(DEFAULT_PAGE_SIZE);
  });

  it("writes only what differs from the defaults", () => {
    expect(queryFrom({ search: " ", sort: DEFAULT_SORT, pageSize: 20 }).toString()).toBe("");
    expect(queryFrom({ search: "live", sort: { field: "name", desc: false }, pageSize: 10 }).toString()).toBe(
      "q=live&sort=name&size=10",
    );
  });

  it("searches name or artist, quoting what the user typed", () => {
    expect(searchFilter("  ")).toBe("");
    expect(searchFilter('say "hi" \\o/')).toBe('name:"say \\"hi\\" \\\\o/" OR artist:"say \\"hi\\" \\\\o/"');
  });

  it("sorts newest first among equals, and flips a column on a second click", () => {
    expect(listOrderBy(DEFAULT_SORT)).toBe("create_time desc");
    expect(listOrderBy({ field: "year", desc: true })).toBe("year desc, create_time desc");
    expect(nextSort(DEFAULT_SORT, "name")).toEqual({ field: "name", desc: false });
    expect(nextSort({ field: "name", desc: false }, "name")).toEqual({ field: "name", desc: true });
    expect(nextSort({ field: "name", desc: false }, "create_time")).toEqual(DEFAULT_SORT);
  });
});
