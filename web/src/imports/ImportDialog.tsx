import { FileInput, Modal, Stack } from "@mantine/core";
import type { Dispatch, FormEvent } from "react";
import { useState } from "react";
import { useFormErrors } from "../errors/useFormErrors";
import { DialogActions } from "../ui/DialogActions";
import { FormError } from "../ui/FormError";
import { IconUpload } from "../ui/icons";
import { importRequest } from "./importFile";
import { documentSentence, importSentence } from "./importErrors";
import { useStartImport } from "./importQueries";
import type { ImportAction } from "./importState";

const FIELDS = ["file"] as const;
const TITLE = "Import songs";
const FORMATS =
  'CSV: a header line naming the columns (name, artist, year), then a song a line. JSON: an array such as [{"name": "Aberdeen", "artist": "Cage the Elephant", "year": 2011}]. Rows that break a rule are listed; the others are imported.';

interface ImportDialogProps {
  dispatch: Dispatch<ImportAction>;
  onClose: () => void;
}

/**
 * "Import songs": pick a .csv or .json file and start an ImportSongs
 * operation; its progress then shows on the page. A file the server can't
 * read, or one too large, is said next to the file.
 */
export function ImportDialog({ dispatch, onClose }: ImportDialogProps) {
  const [file, setFile] = useState<File | null>(null);
  const { errors, show, clear, fieldRef, formErrorRef } = useFormErrors(FIELDS);
  const start = useStartImport(dispatch);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (start.isPending) return;
    if (!file) return show({ fields: { file: "Choose a file to import." } });
    const request = await importRequest(file);
    if (typeof request === "string") return show({ fields: { file: request } });
    clear();
    try {
      await start.mutateAsync({ request, fileName: file.name });
      onClose();
    } catch (err) {
      const aboutFile = documentSentence(err);
      show(aboutFile ? { fields: { file: aboutFile } } : { fields: {}, form: importSentence(err) });
    }
  }

  return (
    <Modal opened onClose={onClose} title={TITLE} centered>
      <form aria-label={TITLE} noValidate aria-busy={start.isPending} onSubmit={(e) => void submit(e)}>
        <Stack gap="sm">
          <FileInput
            ref={fieldRef("file")}
            label="File"
            required
            data-autofocus
            placeholder="Choose a .csv or .json file"
            accept=".csv,.json,text/csv,application/json"
            leftSection={<IconUpload size={16} aria-hidden />}
            description={FORMATS}
            inputWrapperOrder={["label", "input", "description", "error"]}
            value={file}
            onChange={(picked) => {
              setFile(picked);
              clear();
            }}
            error={errors.fields.file}
          />
          <FormError ref={formErrorRef} message={errors.form} />
          <DialogActions label="Start import" busy={start.isPending} onCancel={onClose} />
        </Stack>
      </form>
    </Modal>
  );
}
