import type { FormEvent, ReactNode, RefObject } from "react";
import { useEffect, useRef, useState } from "react";
import { flushSync } from "react-dom";
import type { CredentialField } from "../auth/authErrors";
import { CREDENTIAL_FIELDS } from "../auth/authErrors";
import type { FormErrors } from "../errors/formErrors";
import { invalidFields, noErrors } from "../errors/formErrors";
import { FormError } from "./FormError";
import { TextField } from "./TextField";

interface CredentialsFormProps {
  heading: string;
  submitLabel: string;
  passwordAutoComplete: "current-password" | "new-password";
  passwordHint?: string;
  onSubmit: (email: string, password: string) => Promise<void>;
  errorsFrom: (err: unknown) => FormErrors<CredentialField>;
  /** The control that switches to the other form. */
  children: ReactNode;
}

/** Email and password: the body of both the sign-up and the login form. */
export function CredentialsForm({
  heading,
  submitLabel,
  passwordAutoComplete,
  passwordHint,
  onSubmit,
  errorsFrom,
  children,
}: CredentialsFormProps) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<FormErrors<CredentialField>>(noErrors);
  const [pending, setPending] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const formErrorRef = useRef<HTMLParagraphElement>(null);
  const emailInput = useRef<HTMLInputElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);

  // Shown after a switch, a logout or a page load: start reading here.
  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    setPending(true);
    setErrors(noErrors);
    try {
      await onSubmit(email, password);
    } catch (err) {
      const found = errorsFrom(err);
      flushSync(() => setErrors(found));
      const inputs: Record<CredentialField, RefObject<HTMLInputElement | null>> = {
        email: emailInput,
        password: passwordInput,
      };
      const [first] = invalidFields(found, CREDENTIAL_FIELDS);
      if (first) inputs[first].current?.focus();
      else formErrorRef.current?.focus();
    } finally {
      setPending(false);
    }
  }

  const headingId = `${submitLabel.replace(/\s+/g, "-").toLowerCase()}-heading`;
  return (
    <section className="card auth-card" aria-labelledby={headingId}>
      <h2 id={headingId} ref={headingRef} tabIndex={-1}>
        {heading}
      </h2>
      <form onSubmit={(e) => void submit(e)} noValidate aria-busy={pending} aria-labelledby={headingId}>
        <TextField
          ref={emailInput}
          label="Email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={setEmail}
          error={errors.fields.email}
        />
        <TextField
          ref={passwordInput}
          label="Password"
          type="password"
          autoComplete={passwordAutoComplete}
          required
          value={password}
          onChange={setPassword}
          hint={passwordHint}
          error={errors.fields.password}
        />
        <FormError ref={formErrorRef} message={errors.form} />
        <button type="submit" className="primary">
          {submitLabel}
        </button>
        {pending && (
          <p className="pending" role="status">
            Please wait…
          </p>
        )}
      </form>
      <div className="switch">{children}</div>
    </section>
  );
}
