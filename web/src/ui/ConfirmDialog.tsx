import { Modal, Text } from "@mantine/core";
import { DialogActions } from "./DialogActions";

interface ConfirmDialogProps {
  opened: boolean;
  /** The dialog's title and accessible name, e.g. "Delete “Aberdeen”?". */
  title: string;
  /** What happens, in a sentence. */
  body: string;
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}

/** Asks once more before something that can't be undone; Escape or "Cancel" keeps things as they are. */
export function ConfirmDialog({
  opened,
  title,
  body,
  confirmLabel,
  busy,
  onConfirm,
  onClose,
}: ConfirmDialogProps) {
  return (
    <Modal opened={opened} onClose={onClose} title={title} centered>
      <Text size="sm" mb="md">
        {body}
      </Text>
      <DialogActions label={confirmLabel} busy={busy} onCancel={onClose} onConfirm={onConfirm} />
    </Modal>
  );
}
