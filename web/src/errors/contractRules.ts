/**
 * The contract's field rules (buf.validate annotations in protos/, carried in
 * the generated descriptors), checked in the browser before a request is
 * sent, so a form says what is wrong at once and in the same words as the
 * server. No limit is written here: a changed rule in the proto changes the
 * form after `make gen`.
 */
import type { DescMessage, MessageInitShape } from "@bufbuild/protobuf";
import { create } from "@bufbuild/protobuf";
import { pathToString } from "@bufbuild/protobuf/reflect";
import { createValidator } from "@bufbuild/protovalidate";
import type { FieldTarget, FieldViolation, FormErrors } from "./formErrors";
import { formErrorsFromViolations } from "./formErrors";

const validator = createValidator();

/** The request's rule violations, with field paths as the server names them ("song.name"). */
export function ruleViolations<Desc extends DescMessage>(
  schema: Desc,
  request: MessageInitShape<Desc>,
): FieldViolation[] {
  const result = validator.validate(schema, create(schema, request));
  if (result.kind !== "invalid") return [];
  return result.violations.map((v) => ({ field: pathToString(v.field), description: v.message }));
}

/** The form's errors for a request that breaks the contract's rules, or null when it may be sent. */
export function checkRequest<Desc extends DescMessage, K extends string>(
  schema: Desc,
  request: MessageInitShape<Desc>,
  targets: Readonly<Record<string, FieldTarget<K>>>,
): FormErrors<K> | null {
  const violations = ruleViolations(schema, request);
  return violations.length ? formErrorsFromViolations(violations, targets) : null;
}
