import { Alert } from "@mantine/core";
import type { Ref } from "react";

interface FormErrorProps {
  message?: string;
  ref?: Ref<HTMLDivElement>;
}

/** The error of a whole form (not of one field); focusable so it can be announced. */
export function FormError({ message, ref }: FormErrorProps) {
  if (!message) return null;
  return (
    <Alert ref={ref} color="red" role="alert" tabIndex={-1} p="xs">
      {message}
    </Alert>
  );
}
