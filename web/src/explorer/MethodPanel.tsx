import type { DescMethod, FileRegistry, JsonValue } from "@bufbuild/protobuf";
import { Alert, Badge, Button, Card, Code, Group, Stack, Text, Textarea, Title } from "@mantine/core";
import { useRef, useState } from "react";
import { useServices } from "../api/ServicesContext";
import { FieldsTable } from "./FieldsTable";
import type { CallOutcome } from "./callMethod";
import { callMethod, requestFrom } from "./callMethod";
import { commentOf, exampleOf } from "./contracts";

const KIND: Record<DescMethod["methodKind"], string> = {
  unary: "unary",
  server_streaming: "server streaming",
  client_streaming: "client streaming",
  bidi_streaming: "bidirectional streaming",
};

const pretty = (value: JsonValue) => JSON.stringify(value, null, 2);

/** One method: what it does, its request fields and rules, and a request to send. */
export function MethodPanel({ registry, method }: { registry: FileRegistry; method: DescMethod }) {
  const { withToken } = useServices();
  const [json, setJson] = useState(() => pretty(exampleOf(method.input)));
  const [inputError, setInputError] = useState("");
  const [replies, setReplies] = useState<JsonValue[]>([]);
  const [outcome, setOutcome] = useState<CallOutcome | null>(null);
  const [running, setRunning] = useState(false);
  const abort = useRef<AbortController | null>(null);

  async function send() {
    let request;
    try {
      request = requestFrom(method, json, registry);
    } catch (err) {
      setInputError(err instanceof Error ? err.message : String(err));
      return;
    }
    setInputError("");
    setReplies([]);
    setOutcome(null);
    setRunning(true);
    abort.current = new AbortController();
    const result = await callMethod(
      withToken,
      registry,
      method,
      request,
      (reply) => setReplies((all) => [...all, reply]),
      abort.current.signal,
    );
    setOutcome(result);
    setRunning(false);
  }

  const serviceComment = commentOf(method.parent);
  return (
    <Stack gap="sm">
      <div>
        <Title order={2} size="h3" className="wrap-anywhere">
          {method.parent.name}.{method.name}
        </Title>
        <Group gap="xs" mt={4}>
          <Badge variant="light">{KIND[method.methodKind]}</Badge>
          <Code>
            {method.input.name} → {method.output.name}
          </Code>
        </Group>
      </div>
      <Text style={{ whiteSpace: "pre-line" }} data-testid="method-comment">
        {commentOf(method) || "No description."}
      </Text>
      {serviceComment && (
        <Text size="sm" c="dimmed" style={{ whiteSpace: "pre-line" }}>
          {serviceComment}
        </Text>
      )}
      <FieldsTable message={method.input} registry={registry} />
      <Textarea
        label={`Request (${method.input.name} as JSON)`}
        value={json}
        onChange={(e) => setJson(e.currentTarget.value)}
        spellCheck={false}
        autosize
        minRows={4}
        maxRows={18}
        error={inputError || undefined}
        styles={{ input: { fontFamily: "ui-monospace, monospace" } }}
      />
      <Group>
        <Button onClick={() => void send()} loading={running && method.methodKind === "unary"}>
          Send
        </Button>
        {running && method.methodKind !== "unary" && (
          <Button variant="default" onClick={() => abort.current?.abort()}>
            Stop
          </Button>
        )}
        <Button variant="subtle" onClick={() => setJson(pretty(exampleOf(method.input)))}>
          Reset example
        </Button>
      </Group>
      {(outcome || replies.length > 0) && (
        <Card withBorder component="section" aria-label="Reply">
          <Stack gap="xs">
            {outcome && (
              <Group gap="xs">
                <Text fw={600}>Status</Text>
                <Badge color={outcome.ok ? "teal.9" : "red.9"} data-testid="call-status">
                  {outcome.status}
                </Badge>
              </Group>
            )}
            {outcome?.message && (
              <Alert color="red" p="xs" data-testid="call-message">
                {outcome.message}
              </Alert>
            )}
            {outcome?.details.map((detail, i) => (
              <div key={i}>
                <Text size="sm" fw={600}>
                  Details: {detail.type}
                </Text>
                <Code block>{pretty(detail.value)}</Code>
              </div>
            ))}
            {replies.map((reply, i) => (
              <div key={i}>
                <Text size="sm" fw={600}>
                  {method.methodKind === "unary" ? `Reply (${method.output.name})` : `Message ${i + 1}`}
                </Text>
                <Code block data-testid="call-reply">
                  {pretty(reply)}
                </Code>
              </div>
            ))}
          </Stack>
        </Card>
      )}
    </Stack>
  );
}
