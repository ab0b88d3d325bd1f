/**
 * One call of any method through the gateway, with dynamic messages: the
 * request is read from JSON with the method's input descriptor, replies are
 * written back as JSON; a failure becomes its status code, message and
 * decoded details.
 */
import type {
  DescMethod,
  DescMethodServerStreaming,
  DescMethodUnary,
  FileRegistry,
  JsonValue,
  Message,
  Registry,
} from "@bufbuild/protobuf";
import { createRegistry, fromJsonString, toJson } from "@bufbuild/protobuf";
import type { Transport } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import { file_google_rpc_error_details } from "../gen-rpc/google/rpc/error_details_pb";

export interface CallOutcome {
  /** "OK", "INVALID_ARGUMENT", …, with its number. */
  status: string;
  ok: boolean;
  message: string;
  details: { type: string; value: JsonValue }[];
}

/** The contracts, and the google.rpc details (BadRequest, …) the services send with errors. */
function withDetails(registry: FileRegistry): Registry {
  return createRegistry(registry, file_google_rpc_error_details);
}

/** "InvalidArgument" → "INVALID_ARGUMENT (3)". */
export function statusName(code: Code | 0): string {
  if (code === 0) return "OK (0)";
  return `${Code[code].replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase()} (${code})`;
}

/** The request for `method` from the editor's JSON; throws a sentence when it is not one. */
export function requestFrom(method: DescMethod, json: string, registry: FileRegistry): Message {
  try {
    return fromJsonString(method.input, json, { registry });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`The request is not a valid ${method.input.name}: ${why}`, { cause: err });
  }
}

const isUnary = (m: DescMethod): m is DescMethodUnary => m.methodKind === "unary";
const isServerStreaming = (m: DescMethod): m is DescMethodServerStreaming =>
  m.methodKind === "server_streaming";

function once<T>(item: T): AsyncIterable<T> {
  return (async function* () {
    yield await Promise.resolve(item);
  })();
}

export async function callMethod(
  transport: Transport,
  registry: FileRegistry,
  method: DescMethod,
  request: Message,
  onReply: (reply: JsonValue) => void,
  signal: AbortSignal,
): Promise<CallOutcome> {
  const reply = (message: Message) => onReply(toJson(method.output, message, { registry }));
  try {
    if (isUnary(method)) {
      reply((await transport.unary(method, signal, undefined, undefined, request)).message);
    } else if (isServerStreaming(method)) {
      // a stream lasts as long as it is watched: no call timeout
      const response = await transport.stream(method, signal, 0, undefined, once(request));
      for await (const message of response.message) reply(message);
    } else {
      return {
        status: "not sent",
        ok: false,
        message: "Client and bidirectional streaming can't be called from a browser (gRPC-Web).",
        details: [],
      };
    }
    return { status: statusName(0), ok: true, message: "", details: [] };
  } catch (reason) {
    const err = ConnectError.from(reason);
    return {
      status: statusName(err.code),
      ok: false,
      message: err.rawMessage,
      details: err.findDetails(withDetails(registry)).map((detail) => {
        const desc = withDetails(registry).getMessage(detail.$typeName);
        return { type: detail.$typeName, value: desc ? toJson(desc, detail, { registry }) : null };
      }),
    };
  }
}
