import { Anchor, Button, Group, Stack, Table, Text } from "@mantine/core";
import { IconPlus } from "../ui/icons";
import { useReducer, useState } from "react";
import { Link } from "react-router";
import { useActing } from "../api/ServicesContext";
import { Role } from "../gen/chorus/auth/v1/auth_service_pb";
import { canChangeSongs } from "../tenants/roles";
import { LoadFailure } from "../ui/LoadFailure";
import { PageHeading } from "../ui/PageHeading";
import { Pager } from "../ui/Pager";
import { currentPageToken, firstPage, pagingReducer } from "../ui/paging";
import { PlaylistDialog } from "./PlaylistDialog";
import { usePlaylistPage } from "./playlistQueries";
import { TableHead } from "../ui/TableHead";

const PAGE_SIZE = 20;

/** The active tenant's playlists, newest first; "New playlist". */
export function PlaylistsPage() {
  const acting = useActing();
  return (
    <PlaylistList key={acting?.tenantId ?? ""} writable={canChangeSongs(acting?.role ?? Role.UNSPECIFIED)} />
  );
}

function PlaylistList({ writable }: { writable: boolean }) {
  const [paging, dispatch] = useReducer(pagingReducer, firstPage);
  const [creating, setCreating] = useState(false);
  const page = usePlaylistPage(PAGE_SIZE, currentPageToken(paging));
  const playlists = page.data?.playlists ?? [];

  return (
    <Stack gap="sm">
      <PageHeading title="Playlists">
        {writable && (
          <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setCreating(true)}>
            New playlist
          </Button>
        )}
      </PageHeading>
      {page.isError ? (
        <LoadFailure what="The playlists" error={page.error} onRetry={() => void page.refetch()} />
      ) : (
        <>
          <Table aria-label="Playlists" verticalSpacing={6} highlightOnHover>
            <TableHead columns={["Name", "Songs", { label: "Description", visibleFrom: "sm" }]} />
            <Table.Tbody>
              {playlists.map((playlist) => (
                <Table.Tr key={playlist.id} data-testid="playlist-row">
                  <Table.Td className="wrap-anywhere">
                    <Anchor component={Link} to={`/playlists/${playlist.id}`}>
                      {playlist.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{playlist.songIds.length}</Table.Td>
                  <Table.Td visibleFrom="sm" className="wrap-anywhere">
                    <Text size="sm" lineClamp={2}>
                      {playlist.description}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {page.isSuccess && playlists.length === 0 && (
            <Text c="dimmed" ta="center" py="md">
              No playlists yet.
            </Text>
          )}
          <Group justify="flex-end">
            <Pager
              paging={paging}
              dispatch={dispatch}
              pageSize={PAGE_SIZE}
              shown={playlists.length}
              total={page.data?.totalSize ?? 0}
              noun="playlists"
              nextPageToken={page.data?.nextPageToken ?? ""}
              busy={page.isFetching}
            />
          </Group>
        </>
      )}
      {creating && <PlaylistDialog playlist={null} onClose={() => setCreating(false)} />}
    </Stack>
  );
}
