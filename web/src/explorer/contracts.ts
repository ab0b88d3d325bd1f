/**
 * The contracts as the explorer sees them: `gen-explorer/contracts.json` is
 * the descriptor set of protos/ that `make gen` builds with buf (comments
 * included), read into a registry at run time, so a new service or RPC
 * shows up here without web code.
 */
import type {
  DescEnum,
  DescField,
  DescMessage,
  DescMethod,
  DescService,
  FileRegistry,
  JsonObject,
  JsonValue,
  Registry,
} from "@bufbuild/protobuf";
import {
  ScalarType,
  createFileRegistry,
  createRegistry,
  fromJson,
  getOption,
  hasOption,
  toJson,
} from "@bufbuild/protobuf";
import {
  FileDescriptorSetSchema,
  file_google_protobuf_any,
  file_google_protobuf_descriptor,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
} from "@bufbuild/protobuf/wkt";
import {
  FieldRulesSchema,
  field as fieldRules,
  file_buf_validate_validate,
} from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import descriptorSet from "../gen-explorer/contracts.json?raw";

/** What protos/ may import, as this app's libraries know them. */
const LIBRARY_FILES = [
  file_google_protobuf_any,
  file_google_protobuf_descriptor,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
  file_buf_validate_validate,
];

/**
 * Every file of protos/, with what they import taken from the libraries
 * (the set's own copies of google/protobuf and buf/validate may be newer
 * than this app's protobuf runtime can read).
 */
export function loadContracts(json: string = descriptorSet): FileRegistry {
  const parsed = JSON.parse(json) as { file?: JsonObject[] };
  const ours = (parsed.file ?? []).filter(
    (file) => typeof file.name === "string" && file.name.startsWith("chorus/"),
  );
  const read = (registry: Registry, ignoreUnknownFields: boolean) => {
    const set = fromJson(FileDescriptorSetSchema, { file: ours }, { registry, ignoreUnknownFields });
    set.file.unshift(...LIBRARY_FILES.map((file) => file.proto));
    return createFileRegistry(set);
  };
  // Options carry extensions (buf.validate's, and rules protos/ defines itself):
  // JSON needs their descriptors to read them, so read once for those, then again.
  const validate = createRegistry(file_buf_validate_validate);
  return read(createRegistry(validate, read(validate, true)), false);
}

/** Our services (chorus.*), by full name. */
export function servicesOf(registry: FileRegistry): DescService[] {
  const services: DescService[] = [];
  for (const file of registry.files) {
    if (file.proto.package.startsWith("chorus.")) services.push(...file.services);
  }
  return services.sort((a, b) => a.typeName.localeCompare(b.typeName));
}

type Described = DescService | DescMethod | DescMessage | DescField | DescEnum;

/** Where a descriptor sits in its file (descriptor.proto field numbers), for its comments. */
function pathOf(desc: Described): number[] {
  switch (desc.kind) {
    case "service":
      return [6, desc.file.services.indexOf(desc)];
    case "rpc":
      return [...pathOf(desc.parent), 2, desc.parent.methods.indexOf(desc)];
    case "message":
      return desc.parent
        ? [...pathOf(desc.parent), 3, desc.parent.nestedMessages.indexOf(desc)]
        : [4, desc.file.messages.indexOf(desc)];
    case "enum":
      return desc.parent
        ? [...pathOf(desc.parent), 4, desc.parent.nestedEnums.indexOf(desc)]
        : [5, desc.file.enums.indexOf(desc)];
    case "field":
      return [...pathOf(desc.parent), 2, desc.parent.proto.field.indexOf(desc.proto)];
  }
}

function fileOf(desc: Described) {
  return desc.kind === "rpc" ? desc.parent.file : desc.kind === "field" ? desc.parent.file : desc.file;
}

/** The comment written above a service, method, message or field in its .proto file. */
export function commentOf(desc: Described): string {
  const path = pathOf(desc);
  const location = fileOf(desc).proto.sourceCodeInfo?.location.find(
    (l) => l.path.length === path.length && l.path.every((n, i) => n === path[i]),
  );
  // lines wrapped in the .proto file join up; blank lines still part paragraphs
  return (location?.leadingComments ?? "")
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.replace(/\s*\n\s*/g, " ").trim())
    .filter(Boolean)
    .join("\n\n");
}

/** A field's buf.validate rules as JSON ({"string": {"maxLen": 200}}), or null without any. */
export function rulesOf(field: DescField, registry: Registry): JsonValue | null {
  if (!hasOption(field, fieldRules)) return null;
  return toJson(FieldRulesSchema, getOption(field, fieldRules), { registry });
}

/** "string", "int32", "repeated string", "Song", "Role". */
export function typeLabel(field: DescField): string {
  const base = (f: DescField): string => {
    if (f.message) return f.message.name;
    if (f.enum) return f.enum.name;
    return f.scalar === undefined ? "?" : ScalarType[f.scalar].toLowerCase();
  };
  if (field.fieldKind === "list") return `repeated ${base(field)}`;
  if (field.fieldKind === "map") return `map<${ScalarType[field.mapKey].toLowerCase()}, …>`;
  return `${field.proto.proto3Optional ? "optional " : ""}${base(field)}`;
}

const SAMPLE_TEXT: Record<string, string> = {
  email: "jane@example.com",
  password: "password1x",
  name: "Aberdeen",
  artist: "Cage the Elephant",
  description: "Songs for the road",
};
const SAMPLE_NUMBER: Record<string, number> = { year: 2011, page_size: 10 };

/** Output-only fields (so said in their comment) are left out of examples. */
function outputOnly(field: DescField): boolean {
  return /output only/i.test(commentOf(field));
}

/** A request to start from: every input field with a plausible value. */
export function exampleOf(message: DescMessage, depth = 0): JsonObject {
  const example: JsonObject = {};
  for (const field of message.fields) {
    if (outputOnly(field)) continue;
    const value = exampleValue(field, depth);
    if (value !== undefined) example[field.jsonName] = value;
  }
  return example;
}

function exampleValue(field: DescField, depth: number): JsonValue | undefined {
  switch (field.fieldKind) {
    case "list":
      return [];
    case "map":
      return {};
    case "enum":
      return field.enum.values.find((v) => v.number !== 0)?.name ?? field.enum.values[0]?.name;
    case "message":
      if (field.message.typeName === "google.protobuf.FieldMask") return "name";
      if (field.message.typeName.startsWith("google.protobuf.") || depth >= 3) return undefined;
      return exampleOf(field.message, depth + 1);
    case "scalar":
      if (field.scalar === ScalarType.STRING) return SAMPLE_TEXT[field.name] ?? "";
      if (field.scalar === ScalarType.BOOL) return false;
      if (field.scalar === ScalarType.BYTES) return "";
      return SAMPLE_NUMBER[field.name] ?? 0;
  }
}

/** `/explorer/chorus.resource.v1.SongService/ListSongs` names this method. */
export function methodPath(method: DescMethod): string {
  return `${method.parent.typeName}/${method.name}`;
}

export function findMethod(registry: FileRegistry, path: string): DescMethod | undefined {
  const [serviceName = "", methodName = ""] = path.split("/");
  const service = registry.getService(serviceName);
  return service?.methods.find((m) => m.name === methodName);
}
