import { Table, VisuallyHidden } from "@mantine/core";

/** A column: its heading, or the heading with where it shows and its width. */
export type Column = string | { label: string; visibleFrom?: "sm" | "md"; w?: string };

interface TableHeadProps {
  columns: readonly Column[];
  /** A last column of buttons (Edit, Remove…), its heading for screen readers only. */
  actions?: boolean;
}

/** A table's header row. */
export function TableHead({ columns, actions = false }: TableHeadProps) {
  return (
    <Table.Thead>
      <Table.Tr>
        {columns.map((column) => {
          const { label, visibleFrom, w } = typeof column === "string" ? { label: column } : column;
          return (
            <Table.Th key={label} visibleFrom={visibleFrom} w={w}>
              {label}
            </Table.Th>
          );
        })}
        {actions && <ActionsHeader />}
      </Table.Tr>
    </Table.Thead>
  );
}

/** The heading of a column of buttons, for screen readers only. */
export function ActionsHeader() {
  return (
    <Table.Th>
      <VisuallyHidden>Actions</VisuallyHidden>
    </Table.Th>
  );
}
