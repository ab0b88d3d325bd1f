import { ActionIcon, Anchor, Button, Card, Group, Stack, Text } from "@mantine/core";
import { IconArrowDown, IconArrowUp, IconPencil, IconTrash, IconX } from "../ui/icons";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useActing } from "../api/ServicesContext";
import { Role } from "../gen/chorus/auth/v1/auth_service_pb";
import type { Playlist } from "../gen/chorus/resource/v1/playlist_service_pb";
import { canChangeSongs } from "../tenants/roles";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { LoadFailure } from "../ui/LoadFailure";
import { Loading } from "../ui/Loading";
import { PageHeading } from "../ui/PageHeading";
import { toastDone, toastFailed } from "../ui/toasts";
import { PlaylistDialog } from "./PlaylistDialog";
import { SongPicker } from "./SongPicker";
import { playlistErrors } from "./playlistErrors";
import { useDeletePlaylist, usePlaylist, usePlaylistSongs, useUpdatePlaylist } from "./playlistQueries";

/** One playlist: its songs in order; add (search picker), reorder, remove; rename, describe, delete. */
export function PlaylistPage() {
  const { playlistId = "" } = useParams();
  const playlist = usePlaylist(playlistId);
  if (playlist.isError) {
    return (
      <Stack>
        <PageHeading title="Playlist" />
        <LoadFailure what="The playlist" error={playlist.error} onRetry={() => void playlist.refetch()} />
        <Anchor component={Link} to="/playlists">
          All playlists
        </Anchor>
      </Stack>
    );
  }
  if (!playlist.data) return <Loading label="Loading the playlist…" />;
  return <PlaylistView playlist={playlist.data} />;
}

function PlaylistView({ playlist }: { playlist: Playlist }) {
  const writable = canChangeSongs(useActing()?.role ?? Role.UNSPECIFIED);
  const songs = usePlaylistSongs(playlist.songIds);
  const update = useUpdatePlaylist();
  const remove = useDeletePlaylist();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);

  async function setSongs(songIds: string[], done: string) {
    try {
      await update.mutateAsync({ id: playlist.id, changes: { songIds }, paths: ["song_ids"] });
      toastDone(done);
    } catch (err) {
      toastFailed(`The playlist was not changed. ${playlistErrors(err).form ?? ""}`.trim());
    }
  }

  function move(songId: string, by: -1 | 1) {
    const ids = [...playlist.songIds];
    const from = ids.indexOf(songId);
    const to = from + by;
    if (from < 0 || to < 0 || to >= ids.length) return;
    ids.splice(from, 1);
    ids.splice(to, 0, songId);
    const name = songs.data?.find((s) => s.id === songId)?.name ?? "The song";
    void setSongs(ids, `Moved “${name}” ${by < 0 ? "up" : "down"}.`);
  }

  async function deletePlaylist() {
    try {
      await remove.mutateAsync(playlist.id);
      toastDone(`Deleted the playlist “${playlist.name}”.`);
      void navigate("/playlists");
    } catch (err) {
      toastFailed(`“${playlist.name}” was not deleted. ${playlistErrors(err).form ?? ""}`.trim());
      setDeleting(false);
    }
  }

  const shown = songs.data ?? [];
  return (
    <Stack gap="sm" maw={860}>
      <Anchor component={Link} to="/playlists" size="sm">
        ← All playlists
      </Anchor>
      <PageHeading title={playlist.name}>
        {writable && (
          <Group gap="xs" wrap="nowrap">
            <Button
              variant="default"
              leftSection={<IconPencil size={16} aria-hidden />}
              onClick={() => setEditing(true)}
            >
              Edit
            </Button>
            <ActionIcon
              variant="subtle"
              color="red"
              size="lg"
              aria-label="Delete playlist"
              onClick={() => setDeleting(true)}
            >
              <IconTrash size={18} aria-hidden />
            </ActionIcon>
          </Group>
        )}
      </PageHeading>
      {playlist.description && (
        <Text className="wrap-anywhere" style={{ whiteSpace: "pre-line" }} data-testid="playlist-description">
          {playlist.description}
        </Text>
      )}
      {writable && (
        <SongPicker
          exclude={new Set(playlist.songIds)}
          disabled={update.isPending}
          onPick={(songId, label) =>
            void setSongs(
              [...playlist.songIds, songId],
              `Added “${label.split(" — ")[0] ?? label}” to the playlist.`,
            )
          }
        />
      )}
      {songs.isError ? (
        <LoadFailure what="The playlist's songs" error={songs.error} onRetry={() => void songs.refetch()} />
      ) : (
        <Card withBorder p={0}>
          {shown.length === 0 ? (
            <Text c="dimmed" p="md">
              {songs.isPending ? "Loading…" : "No songs in this playlist yet."}
            </Text>
          ) : (
            <ol
              aria-label="Songs in this playlist"
              style={{ margin: 0, padding: "0.25rem 0.75rem 0.25rem 2.25rem" }}
            >
              {shown.map((song, index) => (
                <li key={song.id} data-testid="playlist-song">
                  <Group justify="space-between" wrap="nowrap" py={4}>
                    <Text className="wrap-anywhere" size="sm">
                      <span className="playlist-song-name">{song.name}</span>
                      <Text span c="dimmed" size="sm">
                        {" "}
                        — {song.artist}
                      </Text>
                    </Text>
                    {writable && (
                      <Group gap={2} wrap="nowrap">
                        <ActionIcon
                          variant="subtle"
                          aria-label={`Move ${song.name} up`}
                          disabled={index === 0 || update.isPending}
                          onClick={() => move(song.id, -1)}
                        >
                          <IconArrowUp size={16} aria-hidden />
                        </ActionIcon>
                        <ActionIcon
                          variant="subtle"
                          aria-label={`Move ${song.name} down`}
                          disabled={index === shown.length - 1 || update.isPending}
                          onClick={() => move(song.id, 1)}
                        >
                          <IconArrowDown size={16} aria-hidden />
                        </ActionIcon>
                        <ActionIcon
                          variant="subtle"
                          color="red"
                          aria-label={`Remove ${song.name} from the playlist`}
                          disabled={update.isPending}
                          onClick={() =>
                            void setSongs(
                              playlist.songIds.filter((id) => id !== song.id),
                              `Removed “${song.name}” from the playlist.`,
                            )
                          }
                        >
                          <IconX size={16} aria-hidden />
                        </ActionIcon>
                      </Group>
                    )}
                  </Group>
                </li>
              ))}
            </ol>
          )}
        </Card>
      )}
      {editing && <PlaylistDialog playlist={playlist} onClose={() => setEditing(false)} />}
      <ConfirmDialog
        opened={deleting}
        title={`Delete “${playlist.name}”?`}
        body="The playlist is deleted for everyone in this tenant. Its songs stay."
        confirmLabel="Delete playlist"
        busy={remove.isPending}
        onConfirm={() => void deletePlaylist()}
        onClose={() => setDeleting(false)}
      />
    </Stack>
  );
}
