/** How SignUp and Login errors read next to the email and password fields. */
import { Code } from "@connectrpc/connect";
import type { FieldTarget, FormErrors } from "../errors/formErrors";
import { formErrorsFrom } from "../errors/formErrors";

export type CredentialField = "email" | "password";
export const CREDENTIAL_FIELDS: readonly CredentialField[] = ["email", "password"];

const targets: Record<string, FieldTarget<CredentialField>> = {
  email: { key: "email", label: "Email" },
  password: { key: "password", label: "Password" },
};

export function signUpErrors(err: unknown): FormErrors<CredentialField> {
  return formErrorsFrom(err, targets, {
    [Code.AlreadyExists]: {
      field: "email",
      message: "An account with this email already exists. Log in instead.",
    },
  });
}

export function loginErrors(err: unknown): FormErrors<CredentialField> {
  return formErrorsFrom(err, targets, {
    [Code.Unauthenticated]: { message: "The email or password is not right." },
  });
}
