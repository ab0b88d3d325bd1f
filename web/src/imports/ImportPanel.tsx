import { Button, Group, List, Paper, Progress, Stack, Text } from "@mantine/core";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { useQueryClient } from "@tanstack/react-query";
import type { Dispatch } from "react";
import { useEffect, useId } from "react";
import { useServices } from "../api/ServicesContext";
import { OperationState } from "../gen/chorus/resource/v1/operation_service_pb";
import { songKeys } from "../songs/songQueries";
import { followOperation } from "./followOperation";
import { importSentence } from "./importErrors";
import { useCancelImport } from "./importQueries";
import { count, percentDone, rowsText, stateSentence, unlistedSentence } from "./importReport";
import type { ImportAction, ImportEntry } from "./importState";

/** The bar's colour says how it ended (the sentence below says it in words). */
const BAR_COLORS: Partial<Record<OperationState, string>> = {
  [OperationState.SUCCEEDED]: "teal",
  [OperationState.CANCELLED]: "gray",
  [OperationState.FAILED]: "red",
};

interface ImportPanelProps {
  entry: ImportEntry;
  dispatch: Dispatch<ImportAction>;
  /** Offer Cancel (not to viewers). */
  canCancel: boolean;
  /** Who started it, when that was someone else ("" when it was me). */
  startedBy: string;
}

/**
 * One import: a progress bar with the rows done, the songs imported and the
 * rows rejected (each with its line and reason), Cancel while it runs and
 * Close once it is done. Follows its operation for as long as it is shown.
 */
export function ImportPanel({ entry, dispatch, canCancel, startedBy }: ImportPanelProps) {
  const { operations } = useServices();
  const queryClient = useQueryClient();
  const cancel = useCancelImport(dispatch);
  const rejectedId = useId();
  const { operation: op } = entry;
  const name = op.name;

  useEffect(() => {
    const stop = new AbortController();
    followOperation(operations, name, {
      signal: stop.signal,
      onConnection: (connection) => dispatch({ type: "connection", name, connection }),
      onUpdate: (operation) => {
        dispatch({ type: "updated", operation });
        // the live list shows the songs as they come; once more at the end in case it was away
        if (operation.done) void queryClient.invalidateQueries({ queryKey: songKeys.all });
      },
    }).catch((err: unknown) => {
      dispatch({ type: "lost", name, sentence: `Its progress can't be followed: ${importSentence(err)}` });
    });
    return () => stop.abort();
  }, [operations, name, dispatch, queryClient]);

  const started = op.createTime
    ? timestampDate(op.createTime).toLocaleTimeString([], { timeStyle: "short" })
    : "";
  const title = `${entry.fileName ? `Import of ${entry.fileName}` : `Import started at ${started}`}${startedBy ? ` by ${startedBy}` : ""}`;
  const running = !op.done && !entry.lost;
  return (
    <Paper
      component="section"
      aria-label={title}
      withBorder
      p="sm"
      data-operation={name}
      data-testid="import"
    >
      <Stack gap="xs">
        <Group justify="space-between" gap="xs">
          <Text fw={600} className="wrap-anywhere">
            {title}
          </Text>
          {running && canCancel && (
            <Button
              size="xs"
              variant="default"
              loading={entry.cancelling}
              onClick={() => cancel.mutate(name)}
            >
              Cancel import
            </Button>
          )}
          {!running && (
            <Button size="xs" variant="default" onClick={() => dispatch({ type: "closed", name })}>
              Close
            </Button>
          )}
        </Group>
        <Progress.Root
          size="lg"
          role="progressbar"
          aria-label="Import progress"
          aria-valuemin={0}
          aria-valuemax={op.rowsTotal}
          aria-valuenow={op.rowsDone}
          aria-valuetext={rowsText(op)}
        >
          <Progress.Section
            value={percentDone(op)}
            withAria={false}
            animated={running}
            color={BAR_COLORS[op.state]}
          />
        </Progress.Root>
        <Group gap="md" data-testid="import-counts">
          <Text size="sm">{rowsText(op)}</Text>
          <Text size="sm">{op.rowsImported.toLocaleString()} imported</Text>
          <Text size="sm">{op.rowsRejected.toLocaleString()} rejected</Text>
        </Group>
        <Text size="sm" role="status" data-testid="import-state">
          {stateSentence(entry)}
        </Text>
        {op.rowErrors.length > 0 && (
          <>
            <Text size="sm" fw={600} id={rejectedId}>
              {count(op.rowsRejected, "rejected row")}
            </Text>
            <List
              size="sm"
              aria-labelledby={rejectedId}
              data-testid="rejected-lines"
              tabIndex={0}
              mah={200}
              style={{ overflowY: "auto" }}
            >
              {op.rowErrors.map((line) => (
                <List.Item key={line} className="wrap-anywhere">
                  {line}
                </List.Item>
              ))}
            </List>
            {unlistedSentence(op) && <Text size="sm">{unlistedSentence(op)}</Text>}
          </>
        )}
      </Stack>
    </Paper>
  );
}
