import { ActionIcon, Group, Table, Text, UnstyledButton } from "@mantine/core";
import { ActionsHeader } from "../ui/TableHead";
import { IconArrowDown, IconArrowUp, IconPencil, IconSelector, IconTrash } from "../ui/icons";
import type { Song } from "../gen/chorus/resource/v1/song_service_pb";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Sort, SortField } from "./songListParams";

interface SongsTableProps {
  songs: readonly Song[];
  sort: Sort;
  onSort: (field: SortField) => void;
  /** Email of the member with this user id, if known. */
  emailOf: (userId: string) => string | undefined;
  /** Absent for viewers: no Edit or Delete. */
  onEdit?: (song: Song) => void;
  onDelete?: (song: Song) => void;
}

/** The songs of one page, with sortable column headers. */
export function SongsTable({ songs, sort, onSort, emailOf, onEdit, onDelete }: SongsTableProps) {
  const header = (field: SortField, label: string, visibleFrom?: "md") => {
    const active = sort.field === field;
    const Icon = !active ? IconSelector : sort.desc ? IconArrowDown : IconArrowUp;
    return (
      <Table.Th
        visibleFrom={visibleFrom}
        aria-sort={active ? (sort.desc ? "descending" : "ascending") : undefined}
      >
        <UnstyledButton onClick={() => onSort(field)}>
          <Group gap={4} wrap="nowrap">
            <Text fw={600} size="sm">
              {label}
            </Text>
            <Icon size={14} aria-hidden />
          </Group>
        </UnstyledButton>
      </Table.Th>
    );
  };
  const writable = Boolean(onEdit || onDelete);

  return (
    <Table.ScrollContainer minWidth={0}>
      <Table aria-label="Songs" verticalSpacing={6} highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            {header("name", "Name")}
            {header("artist", "Artist")}
            {header("year", "Year")}
            <Table.Th visibleFrom="sm">Added by</Table.Th>
            {header("create_time", "Added", "md")}
            {writable && <ActionsHeader />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {songs.map((song) => (
            <Table.Tr key={song.id} data-testid="song-row">
              <Table.Td className="song-name wrap-anywhere">{song.name}</Table.Td>
              <Table.Td className="wrap-anywhere">{song.artist}</Table.Td>
              <Table.Td>{song.year ?? ""}</Table.Td>
              <Table.Td visibleFrom="sm" className="wrap-anywhere">
                {emailOf(song.createdBy) ?? (song.createdBy ? "a former member" : "")}
              </Table.Td>
              <Table.Td visibleFrom="md">
                {song.createTime ? timestampDate(song.createTime).toLocaleDateString() : ""}
              </Table.Td>
              {writable && (
                <Table.Td>
                  <Group gap={2} wrap="nowrap" justify="flex-end">
                    {onEdit && (
                      <ActionIcon
                        variant="subtle"
                        aria-label={`Edit ${song.name}`}
                        onClick={() => onEdit(song)}
                      >
                        <IconPencil size={16} aria-hidden />
                      </ActionIcon>
                    )}
                    {onDelete && (
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        aria-label={`Delete ${song.name}`}
                        onClick={() => onDelete(song)}
                      >
                        <IconTrash size={16} aria-hidden />
                      </ActionIcon>
                    )}
                  </Group>
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
