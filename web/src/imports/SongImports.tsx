import { Stack } from "@mantine/core";
import { ImportDialog } from "./ImportDialog";
import { ImportPanel } from "./ImportPanel";
import { useImports } from "./importQueries";

interface SongImportsProps {
  /** May start and cancel imports (not viewers). */
  writable: boolean;
  /** The "Import songs" dialog is open. */
  choosing: boolean;
  onChosen: () => void;
  myUserId: string;
  /** Email of the member with this user id, if known. */
  emailOf: (userId: string) => string | undefined;
}

/** The active tenant's imports on the Songs page, and the dialog that starts one. */
export function SongImports({ writable, choosing, onChosen, myUserId, emailOf }: SongImportsProps) {
  const [imports, dispatch] = useImports();
  return (
    <>
      {imports.length > 0 && (
        <Stack gap="xs">
          {imports.map((entry) => {
            const by = entry.operation.createdBy;
            return (
              <ImportPanel
                key={entry.operation.name}
                entry={entry}
                dispatch={dispatch}
                canCancel={writable}
                startedBy={by && by !== myUserId ? (emailOf(by) ?? "another member") : ""}
              />
            );
          })}
        </Stack>
      )}
      {choosing && writable && <ImportDialog dispatch={dispatch} onClose={onChosen} />}
    </>
  );
}
