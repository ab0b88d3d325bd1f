/**
 * The contract's field rules (buf.validate annotations in protos/, carried in
 * the generated descriptors), checked in the browser before a request is
 * sent, so a form says what is wrong at once and in the same words as the
 * server. No limit is written here: a changed rule in the proto changes the
 * form after `make gen`.
 */
import type { DescMessage, MessageInitShape } from "@bufbuild/protobuf";
import { pathToString } from "@bufbuild/protobuf/reflect";
import { create, createRegistry } from "@bufbuild/protobuf";
import { createValidator } from "@bufbuild/protovalidate";
import { file_chorus_type_v1_text_rules } from "../gen/chorus/type/v1/text_rules_pb";
import type { FieldTarget, FieldViolation, FormErrors } from "./formErrors";
import { formErrorsFromViolations } from "./formErrors";

// The contracts' own predefined rules (not_blank, single_line, …) are extensions the validator must know.
const validator = createValidator({ registry: createRegistry(file_chorus_type_v1_text_rules) });

/** The request's rule violations, with field paths as the server names them ("song.name"). */
export function ruleViolations<Desc extends DescMessage>(
  schema: Desc,
  request: MessageInitShape<Desc>,
): FieldViolation[] {
  const result = validator.validate(schema, create(schema, request));
  // "error": a rule this app can't evaluate; the server checks every request anyway
  if (result.kind === "error") console.error("A contract rule could not be checked here", result.error);
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
