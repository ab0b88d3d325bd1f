import type { Ref } from "react";

interface FormErrorProps {
  message?: string;
  ref?: Ref<HTMLParagraphElement>;
}

/** A problem with the whole form, announced as soon as it appears. */
export function FormError({ message, ref }: FormErrorProps) {
  if (!message) return null;
  return (
    <p ref={ref} className="form-error" role="alert" tabIndex={-1}>
      {message}
    </p>
  );
}
