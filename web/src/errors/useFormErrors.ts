/**
 * The one way a form shows its errors: the sentence of each field next to it
 * (Mantine's `error` prop sets aria-invalid and the description), the form's
 * own sentence above the buttons, and focus on the first field in error (or
 * on the form's sentence) so a screen reader reads it out.
 */
import { useCallback, useMemo, useRef, useState } from "react";
import { flushSync } from "react-dom";
import type { FormErrors } from "./formErrors";
import { invalidFields, noErrors } from "./formErrors";

export function useFormErrors<K extends string>(order: readonly K[]) {
  const [errors, setErrors] = useState<FormErrors<K>>(noErrors);
  const fields = useRef<Partial<Record<K, HTMLElement | null>>>({});
  const formErrorRef = useRef<HTMLDivElement>(null);

  const show = useCallback(
    (found: FormErrors<K>) => {
      flushSync(() => setErrors(found));
      const [first] = invalidFields(found, order);
      if (first) fields.current[first]?.focus();
      else formErrorRef.current?.focus();
    },
    [order],
  );

  const clear = useCallback(() => setErrors(noErrors), []);

  /** `ref={fieldRef("name")}` on the input, so focus can go to it. */
  const fieldRef = useMemo(
    () => (key: K) => (element: HTMLElement | null) => {
      fields.current[key] = element;
    },
    [],
  );

  return { errors, show, clear, fieldRef, formErrorRef };
}
