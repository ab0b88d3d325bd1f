import { Alert, Button, Stack, Text } from "@mantine/core";
import type { ErrorInfo, ReactNode } from "react";
import { Component } from "react";

interface ErrorBoundaryProps {
  children: ReactNode;
}

interface ErrorBoundaryState {
  failed: boolean;
}

/**
 * Catches a page that fails to render and says so, with a way out, instead
 * of leaving a blank page. The shell keys it by route, so moving to another
 * page starts afresh.
 */
export class ErrorBoundary extends Component<ErrorBoundaryProps, ErrorBoundaryState> {
  state: ErrorBoundaryState = { failed: false };

  static getDerivedStateFromError(): ErrorBoundaryState {
    return { failed: true };
  }

  componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error("A page failed to render", error, info.componentStack);
  }

  render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return (
      <Alert color="red" title="This page could not be shown" role="alert">
        <Stack gap="sm" align="flex-start">
          <Text size="sm">Something went wrong on our side. Reloading the page usually helps.</Text>
          <Button onClick={() => window.location.reload()}>Reload the page</Button>
        </Stack>
      </Alert>
    );
  }
}
