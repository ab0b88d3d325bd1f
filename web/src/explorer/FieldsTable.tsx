import type { DescMessage, Registry } from "@bufbuild/protobuf";
import { Code, Table, Text } from "@mantine/core";
import { commentOf, rulesOf, typeLabel } from "./contracts";
import { TableHead } from "../ui/TableHead";

/** The fields of a request: name, type, description and buf.validate rules. */
export function FieldsTable({ message, registry }: { message: DescMessage; registry: Registry }) {
  if (message.fields.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        {message.name} has no fields.
      </Text>
    );
  }
  return (
    <Table.ScrollContainer minWidth={0}>
      <Table aria-label={`Fields of ${message.name}`} verticalSpacing={4} fz="sm" layout="fixed">
        <TableHead columns={[{ label: "Field", w: "30%" }, "Description and rules"]} />
        <Table.Tbody>
          {message.fields.map((field) => {
            const rules = rulesOf(field, registry);
            return (
              <Table.Tr key={field.name}>
                <Table.Td className="wrap-anywhere">
                  <Code>{field.jsonName}</Code>
                  <Text size="xs" c="dimmed">
                    {typeLabel(field)}
                  </Text>
                </Table.Td>
                <Table.Td className="wrap-anywhere">
                  <Text size="sm" style={{ whiteSpace: "pre-line" }}>
                    {commentOf(field)}
                  </Text>
                  {rules !== null && (
                    <Code block mt={4} data-testid="field-rules">
                      {JSON.stringify(rules)}
                    </Code>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
