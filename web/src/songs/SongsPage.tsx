import { Badge, Box, Button, Group, NativeSelect, Stack, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconPlus, IconSearch, IconUpload } from "../ui/icons";
import { useEffect, useMemo, useReducer, useState } from "react";
import { useSearchParams } from "react-router";
import { useActing } from "../api/ServicesContext";
import { SongImports } from "../imports/SongImports";
import type { Song } from "../gen/chorus/resource/v1/song_service_pb";
import { Role } from "../gen/chorus/auth/v1/auth_service_pb";
import { canChangeSongs } from "../tenants/roles";
import { useMembers } from "../tenants/tenantQueries";
import { LoadFailure } from "../ui/LoadFailure";
import { Pager } from "../ui/Pager";
import { currentPageToken, firstPage, pagingReducer } from "../ui/paging";
import { PageHeading } from "../ui/PageHeading";
import { DeleteSongDialog } from "./DeleteSongDialog";
import { SongDialog } from "./SongDialog";
import { SongsTable } from "./SongsTable";
import type { SongListParams } from "./songListParams";
import { PAGE_SIZES, listOrderBy, nextSort, paramsFrom, queryFrom, searchFilter } from "./songListParams";
import { useSongPage } from "./songQueries";
import { useLiveSongs } from "./useLiveSongs";

const SEARCH_DELAY_MS = 300;

/** The landing page: the active tenant's songs, searched, sorted and paged by the server. */
export function SongsPage() {
  const [query, setQuery] = useSearchParams();
  const params = paramsFrom(query);
  const acting = useActing();
  const writable = canChangeSongs(acting?.role ?? Role.UNSPECIFIED);
  const [search, setSearch] = useState(params.search);
  const [debounced] = useDebouncedValue(search, SEARCH_DELAY_MS);
  const [editing, setEditing] = useState<Song | "new" | null>(null);
  const [importing, setImporting] = useState(false);
  const live = useLiveSongs();
  const tenantId = acting?.tenantId ?? "";
  const members = useMembers(tenantId);
  const emails = useMemo(() => new Map(members.data?.map((m) => [m.userId, m.email])), [members.data]);
  const emailOf = (userId: string) => emails.get(userId);

  const update = (change: Partial<SongListParams>) =>
    setQuery(queryFrom({ ...paramsFrom(query), ...change }), { replace: "search" in change });
  useEffect(() => {
    if (debounced !== paramsFrom(query).search) {
      setQuery(queryFrom({ ...paramsFrom(query), search: debounced }), { replace: true });
    }
  }, [debounced, query, setQuery]);

  return (
    <Stack gap="sm">
      <PageHeading title="Songs">
        <Group gap="xs" wrap="nowrap">
          <Badge variant="dot" color={live === "live" ? "teal" : "gray"} data-testid="live-state">
            {live === "live" ? "Live" : live === "reconnecting" ? "Reconnecting…" : "Connecting…"}
          </Badge>
          {writable && (
            <>
              <Button variant="default" aria-label="Import songs" onClick={() => setImporting(true)}>
                <Group gap={10} wrap="nowrap">
                  <IconUpload size={16} aria-hidden />
                  {/* on a phone the icon only, so the heading's buttons fit beside each other */}
                  <Box component="span" visibleFrom="xs">
                    Import songs
                  </Box>
                </Group>
              </Button>
              <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setEditing("new")}>
                Add song
              </Button>
            </>
          )}
        </Group>
      </PageHeading>
      {!writable && (
        <Text size="sm" c="dimmed">
          You are a viewer in this tenant: you can read its songs but not change them.
        </Text>
      )}
      <SongImports
        key={tenantId}
        writable={writable}
        choosing={importing}
        onChosen={() => setImporting(false)}
        myUserId={acting?.userId ?? ""}
        emailOf={emailOf}
      />
      <TextInput
        aria-label="Search songs"
        placeholder="Search by name or artist"
        leftSection={<IconSearch size={16} aria-hidden />}
        type="search"
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
      />
      {/* Each tenant and each search starts on its first page. */}
      <SongList
        key={`${tenantId} ${query.toString()}`}
        params={params}
        update={update}
        emailOf={emailOf}
        onEdit={writable ? setEditing : undefined}
      />
      {editing && <SongDialog song={editing === "new" ? null : editing} onClose={() => setEditing(null)} />}
    </Stack>
  );
}

interface SongListProps {
  params: SongListParams;
  update: (change: Partial<SongListParams>) => void;
  emailOf: (userId: string) => string | undefined;
  /** Absent for viewers. */
  onEdit?: (song: Song) => void;
}

function SongList({ params, update, emailOf, onEdit }: SongListProps) {
  const [paging, dispatch] = useReducer(pagingReducer, firstPage);
  const [deleting, setDeleting] = useState<Song | null>(null);
  const page = useSongPage({
    filter: searchFilter(params.search),
    orderBy: listOrderBy(params.sort),
    pageSize: params.pageSize,
    pageToken: currentPageToken(paging),
  });

  if (page.isError) {
    return <LoadFailure what="The songs" error={page.error} onRetry={() => void page.refetch()} />;
  }
  const songs = page.data?.songs ?? [];
  return (
    <>
      <SongsTable
        songs={songs}
        sort={params.sort}
        onSort={(field) => update({ sort: nextSort(params.sort, field) })}
        emailOf={emailOf}
        onEdit={onEdit}
        onDelete={onEdit && setDeleting}
      />
      {page.isSuccess && songs.length === 0 && (
        <Text c="dimmed" ta="center" py="md">
          {params.search ? `No songs match “${params.search}”.` : "No songs yet."}
        </Text>
      )}
      <Group justify="space-between" wrap="wrap" gap="xs">
        <NativeSelect
          aria-label="Songs per page"
          data={PAGE_SIZES.map((size) => ({ value: String(size), label: `${size} per page` }))}
          value={String(params.pageSize)}
          onChange={(e) => update({ pageSize: Number(e.currentTarget.value) })}
          size="xs"
        />
        <Pager
          paging={paging}
          dispatch={dispatch}
          pageSize={params.pageSize}
          shown={songs.length}
          total={page.data?.totalSize ?? 0}
          noun="songs"
          nextPageToken={page.data?.nextPageToken ?? ""}
          busy={page.isFetching}
        />
      </Group>
      <DeleteSongDialog
        song={deleting}
        onClose={() => setDeleting(null)}
        onDeleted={() => dispatch({ type: "deleted", itemsLeft: songs.length - 1 })}
      />
    </>
  );
}
