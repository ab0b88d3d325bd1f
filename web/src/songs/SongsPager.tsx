import { ActionIcon, Group, Text } from "@mantine/core";
import { IconChevronLeft, IconChevronRight } from "@tabler/icons-react";
import type { Dispatch } from "react";
import type { PagingAction } from "./paging";
import { rangeText } from "./songListParams";

interface SongsPagerProps {
  pageIndex: number;
  pageSize: number;
  shown: number;
  total: number;
  nextPageToken: string;
  busy: boolean;
  dispatch: Dispatch<PagingAction>;
}

/** "1–20 of 134" and the previous and next page. */
export function SongsPager({ pageIndex, pageSize, shown, total, nextPageToken, busy, dispatch }: SongsPagerProps) {
  return (
    <Group component="nav" aria-label="Pages" gap="xs" wrap="nowrap" aria-busy={busy}>
      <Text size="sm" data-testid="song-range" aria-live="polite">
        {rangeText(pageIndex, pageSize, shown, total)}
      </Text>
      <ActionIcon
        variant="default"
        aria-label="Previous page"
        disabled={pageIndex === 0}
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
