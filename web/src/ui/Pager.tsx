import { ActionIcon, Group, Text } from "@mantine/core";
import { IconChevronLeft, IconChevronRight } from "./icons";
import type { Dispatch } from "react";
import type { PagingAction, PagingState } from "./paging";
import { hasPreviousPage, pageNumber, rangeText } from "./paging";

interface PagerProps {
  paging: PagingState;
  dispatch: Dispatch<PagingAction>;
  pageSize: number;
  /** Items on this page, and matching in all. */
  shown: number;
  total: number;
  /** "songs": for "No songs". */
  noun: string;
  nextPageToken: string;
  busy: boolean;
}

/** "1–20 of 134" and the previous and next page. */
export function Pager({ paging, dispatch, pageSize, shown, total, noun, nextPageToken, busy }: PagerProps) {
  return (
    <Group component="nav" aria-label="Pages" gap="xs" wrap="nowrap" aria-busy={busy}>
      <Text size="sm" data-testid="range" aria-live="polite">
        {rangeText(pageNumber(paging) - 1, pageSize, shown, total, noun)}
      </Text>
      <ActionIcon
        variant="default"
        aria-label="Previous page"
        disabled={!hasPreviousPage(paging)}
        onClick={() => dispatch({ type: "previous" })}
      >
        <IconChevronLeft size={16} aria-hidden />
      </ActionIcon>
      <ActionIcon
        variant="default"
        aria-label="Next page"
        disabled={!nextPageToken}
        onClick={() => dispatch({ type: "next", nextPageToken })}
      >
        <IconChevronRight size={16} aria-hidden />
      </ActionIcon>
    </Group>
  );
}
