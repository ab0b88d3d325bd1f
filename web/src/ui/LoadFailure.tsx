import { Alert, Button, Group, Text } from "@mantine/core";
import { errorSentence } from "../errors/sentences";

interface LoadFailureProps {
  /** What could not be loaded, e.g. "The songs". */
  what: string;
  error: unknown;
  onRetry: () => void;
}

/** A failed load said in words (network, gateway down, …), with "Try again". */
export function LoadFailure({ what, error, onRetry }: LoadFailureProps) {
  return (
    <Alert color="red" title={`${what} could not be loaded`} role="alert">
      <Group justify="space-between" gap="sm">
        <Text size="sm">{errorSentence(error)}</Text>
        <Button size="xs" variant="default" onClick={onRetry}>
          Try again
        </Button>
      </Group>
    </Alert>
  );
}
