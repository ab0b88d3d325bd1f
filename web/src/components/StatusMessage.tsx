interface StatusMessageProps {
  message: string;
}

/** A polite live region: always rendered, so screen readers announce changes. */
export function StatusMessage({ message }: StatusMessageProps) {
  return (
    <p className="status" role="status" aria-live="polite">
      {message}
    </p>
  );
}
