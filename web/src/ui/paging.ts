/**
 * Which page of a list is shown. List calls page forward only (AIP-158
 * page_token), so going back means remembering the tokens of the pages seen:
 * a stack whose top is the current page's token ("" for the first page).
 */

export interface PagingState {
  /** page_token of each page from the first to the current one. */
  readonly tokens: readonly string[];
}

export type PagingAction =
  | { type: "next"; nextPageToken: string }
  | { type: "previous" }
  | { type: "first" }
  /** An item was deleted and `itemsLeft` remain on the current page. */
  | { type: "deleted"; itemsLeft: number };

export const firstPage: PagingState = { tokens: [""] };

export function currentPageToken(state: PagingState): string {
  return state.tokens[state.tokens.length - 1] ?? "";
}

/** 1 for the first page. */
export function pageNumber(state: PagingState): number {
  return state.tokens.length;
}

export function hasPreviousPage(state: PagingState): boolean {
  return state.tokens.length > 1;
}

export function pagingReducer(state: PagingState, action: PagingAction): PagingState {
  switch (action.type) {
    case "next":
      return action.nextPageToken ? { tokens: [...state.tokens, action.nextPageToken] } : state;
    case "previous":
      return hasPreviousPage(state) ? { tokens: state.tokens.slice(0, -1) } : state;
    case "first":
      return hasPreviousPage(state) ? firstPage : state;
    case "deleted":
      // an emptied page (not the first) is no use: show the one before
      return action.itemsLeft <= 0 ? pagingReducer(state, { type: "previous" }) : state;
  }
}

/** "1–20 of 134" (en dash), or "No songs". */
export function rangeText(
  pageIndex: number,
  pageSize: number,
  shown: number,
  total: number,
  noun: string,
): string {
  if (shown === 0) return total ? `0 of ${total}` : `No ${noun}`;
  const first = pageIndex * pageSize + 1;
  return `${first}–${first + shown - 1} of ${total}`;
}
