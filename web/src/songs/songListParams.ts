/**
 * The songs table's search, sort and page size as they sit in the address
 * (`?q=live&sort=year+desc&size=50`), so back, reload and a shared link show
 * the same list; and what they mean for ListSongs (AIP-160 filter, AIP-132
 * order_by).
 */

export type SortField = "name" | "artist" | "year" | "create_time";
export interface Sort {
  field: SortField;
  desc: boolean;
}

/** Newest first: a song just added is on top, in sight. */
export const DEFAULT_SORT: Sort = { field: "create_time", desc: true };
export const PAGE_SIZES = [10, 20, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 20;

const SORT_FIELDS: readonly SortField[] = ["name", "artist", "year", "create_time"];

export interface SongListParams {
  search: string;
  sort: Sort;
  pageSize: number;
}

export function paramsFrom(query: URLSearchParams): SongListParams {
  const [field = "", direction = ""] = (query.get("sort") ?? "").trim().split(/\s+/);
  const sort = (SORT_FIELDS as readonly string[]).includes(field)
    ? { field: field as SortField, desc: direction === "desc" }
    : DEFAULT_SORT;
  const size = Number(query.get("size"));
  const pageSize = (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_PAGE_SIZE;
  return { search: query.get("q") ?? "", sort, pageSize };
}

/** The address query for these params; defaults are left out. */
export function queryFrom({ search, sort, pageSize }: SongListParams): URLSearchParams {
  const query = new URLSearchParams();
  if (search.trim()) query.set("q", search);
  if (sort.field !== DEFAULT_SORT.field || sort.desc !== DEFAULT_SORT.desc) query.set("sort", orderBy(sort));
  if (pageSize !== DEFAULT_PAGE_SIZE) query.set("size", String(pageSize));
  return query;
}

/** "year desc", then newest first among equals, so pages never shuffle. */
export function orderBy(sort: Sort): string {
  return `${sort.field}${sort.desc ? " desc" : ""}`;
}

export function listOrderBy(sort: Sort): string {
  return sort.field === "create_time" ? orderBy(sort) : `${orderBy(sort)}, create_time desc`;
}

/** A text in double quotes for a filter: backslashes and quotes escaped. */
export function quoted(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** Songs whose name or artist contains the search words (case-insensitive); empty lists all. */
export function searchFilter(search: string): string {
  const text = search.trim();
  if (!text) return "";
  return `name:${quoted(text)} OR artist:${quoted(text)}`;
}

/** Clicking a column: the other direction of the current one, else its natural first direction. */
export function nextSort(current: Sort, field: SortField): Sort {
  if (current.field === field) return { field, desc: !current.desc };
  return { field, desc: field === "create_time" };
}
