import { Group, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { useEffect } from "react";

interface PageHeadingProps {
  title: string;
  /** Buttons beside the heading (e.g. "Add song"). */
  children?: ReactNode;
}

/** The page's one h1, and the document title; on a narrow screen the buttons go below it. */
export function PageHeading({ title, children }: PageHeadingProps) {
  useEffect(() => {
    document.title = `${title} · Chorus`;
  }, [title]);
  return (
    <Group justify="space-between" align="center" mb="sm" gap="xs">
      <Title order={1} size="h2">
        {title}
      </Title>
      {children}
    </Group>
  );
}
