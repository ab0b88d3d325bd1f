import { Button, Group } from "@mantine/core";

interface DialogActionsProps {
  /** What the main button says: "Add song", "Delete song". */
  label: string;
  onCancel: () => void;
  busy?: boolean;
  /**
   * For a question without a form (ConfirmDialog): the main button is red,
   * has the focus first, and does this. Without it the button submits the
   * dialog's form.
   */
  onConfirm?: () => void;
}

/** A dialog's footer: "Cancel" (keeps things as they are) and its main button, at the end. */
export function DialogActions({ label, onCancel, busy, onConfirm }: DialogActionsProps) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel}>
        Cancel
      </Button>
      {onConfirm ? (
        <Button color="red" loading={busy} onClick={onConfirm} data-autofocus>
          {label}
        </Button>
      ) : (
        <Button type="submit" loading={busy}>
          {label}
        </Button>
      )}
    </Group>
  );
}
