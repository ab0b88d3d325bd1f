/**
 * Turns a failed call into errors shown next to a form's fields.
 *
 * INVALID_ARGUMENT errors carry google.rpc.BadRequest details (in the
 * grpc-status-details-bin trailer) whose field violations name request fields
 * such as "song.name" or "email"; a form maps those paths to its own fields.
 * Everything else becomes one sentence for the whole form.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema } from "../gen-rpc/google/rpc/error_details_pb";
import { errorSentence, fieldSentence } from "./sentences";

export interface FormErrors<K extends string> {
  /** One sentence per field of the form. */
  fields: Partial<Record<K, string>>;
  /** A sentence about the whole form, e.g. a network problem. */
  form?: string;
}

/** A form field that a request field path maps to, and its visible label. */
export interface FieldTarget<K extends string> {
  key: K;
  label: string;
}

/** Special wording for some status codes: a field's error or the form's. */
export type CodeMessages<K extends string> = Partial<Record<Code, { field?: K; message: string }>>;

export const noErrors: FormErrors<never> = { fields: {} };

export interface FieldViolation {
  field: string;
  description: string;
}

/** The BadRequest field violations of an error, if any. */
export function fieldViolations(reason: unknown): FieldViolation[] {
  const err = ConnectError.from(reason);
  return err.findDetails(BadRequestSchema).flatMap((detail) =>
    detail.fieldViolations.map((v) => ({
      field: v.field,
      description: v.localizedMessage?.message || v.description,
    })),
  );
}

export function formErrorsFrom<K extends string>(
  reason: unknown,
  targets: Readonly<Record<string, FieldTarget<K>>>,
  codeMessages: CodeMessages<NoInfer<K>> = {},
): FormErrors<K> {
  const err = ConnectError.from(reason);
  const special = codeMessages[err.code];
  if (special) {
    return special.field
      ? { fields: { [special.field]: special.message } as Partial<Record<K, string>> }
      : { fields: {}, form: special.message };
  }
  const violations = err.code === Code.InvalidArgument ? fieldViolations(err) : [];
  if (violations.length === 0) return { fields: {}, form: errorSentence(err) };
  return formErrorsFromViolations(violations, targets);
}

/** Violations (the server's, or the contract's rules checked here) next to the form's fields. */
export function formErrorsFromViolations<K extends string>(
  violations: readonly FieldViolation[],
  targets: Readonly<Record<string, FieldTarget<K>>>,
): FormErrors<K> {
  const fields: Partial<Record<K, string>> = {};
  const others: string[] = [];
  for (const { field, description } of violations) {
    const target = Object.hasOwn(targets, field) ? targets[field] : undefined;
    if (!target) {
      others.push(fieldSentence(field, description));
    } else {
      const sentence = fieldSentence(target.label, description);
      const before = fields[target.key];
      fields[target.key] = before ? `${before} ${sentence}` : sentence;
    }
  }
  return others.length ? { fields, form: others.join(" ") } : { fields };
}

/** The form's fields that have an error, in the order given. */
export function invalidFields<K extends string>(errors: FormErrors<K>, order: readonly K[]): K[] {
  return order.filter((key) => errors.fields[key]);
}
