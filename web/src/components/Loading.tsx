interface LoadingProps {
  label: string;
}

/** A busy indicator with a text label, announced politely. */
export function Loading({ label }: LoadingProps) {
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}
