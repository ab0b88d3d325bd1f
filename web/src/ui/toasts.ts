/**
 * Outcomes of actions as toasts that go away by themselves. Successes are a
 * polite status; failures an alert that stays a little longer.
 */
import { notifications } from "@mantine/notifications";

const SHOWN_MS = 4_000;
const CLOSE = { "aria-label": "Dismiss" };

export function toastDone(message: string): void {
  notifications.show({
    message,
    color: "teal",
    role: "status",
    autoClose: SHOWN_MS,
    closeButtonProps: CLOSE,
  });
}

export function toastFailed(message: string): void {
  notifications.show({
    message,
    color: "red",
    role: "alert",
    autoClose: SHOWN_MS * 2,
    closeButtonProps: CLOSE,
  });
}
