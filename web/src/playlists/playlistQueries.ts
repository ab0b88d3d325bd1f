/**
 * TanStack Query hooks for PlaylistService (tenant-scoped like songs: the
 * tenant is part of every key), and the songs a playlist holds, in order.
 */
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useActing, useServices } from "../api/ServicesContext";
import type { Song } from "../gen/chorus/resource/v1/song_service_pb";
import { useOnDenied } from "../songs/songQueries";

export type PlaylistField = "name" | "description" | "song_ids";

export const playlistKeys = {
  all: ["playlists"] as const,
  list: (tenantId: string, pageSize: number, pageToken: string) =>
    ["playlists", tenantId, "list", pageSize, pageToken] as const,
  one: (tenantId: string, id: string) => ["playlists", tenantId, "one", id] as const,
  songs: (tenantId: string, ids: readonly string[]) => ["playlists", tenantId, "songs", ids] as const,
};

export function usePlaylistPage(pageSize: number, pageToken: string) {
  const { playlists } = useServices();
  const tenantId = useActing()?.tenantId ?? "";
  return useQuery({
    queryKey: playlistKeys.list(tenantId, pageSize, pageToken),
    queryFn: ({ signal }) =>
      playlists.listPlaylists({ pageSize, pageToken, orderBy: "create_time desc" }, { signal }),
    placeholderData: keepPreviousData,
  });
}

export function usePlaylist(id: string) {
  const { playlists } = useServices();
  const tenantId = useActing()?.tenantId ?? "";
  return useQuery({
    queryKey: playlistKeys.one(tenantId, id),
    queryFn: async ({ signal }) => (await playlists.getPlaylist({ id }, { signal })).playlist,
  });
}

/** The songs of a playlist in its order; a song that is gone is left out. */
export function usePlaylistSongs(ids: readonly string[]) {
  const { songs } = useServices();
  const tenantId = useActing()?.tenantId ?? "";
  return useQuery({
    queryKey: playlistKeys.songs(tenantId, ids),
    queryFn: async ({ signal }) => {
      const found = await Promise.all(
        ids.map((id) =>
          songs.getSong({ id }, { signal }).then(
            ({ song }) => song,
            (err: unknown) => {
              if (ConnectError.from(err).code === Code.NotFound) return undefined;
              throw err;
            },
          ),
        ),
      );
      return found.filter((song): song is Song => song !== undefined);
    },
    placeholderData: keepPreviousData,
  });
}

export function useCreatePlaylist() {
  const { playlists } = useServices();
  const queryClient = useQueryClient();
  const onError = useOnDenied();
  return useMutation({
    mutationFn: (v: { name: string; description: string; requestId: string }) =>
      playlists.createPlaylist({
        playlist: { name: v.name, description: v.description },
        requestId: v.requestId,
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: playlistKeys.all }),
    onError,
  });
}

export function useUpdatePlaylist() {
  const { playlists } = useServices();
  const queryClient = useQueryClient();
  const onError = useOnDenied();
  return useMutation({
    mutationFn: (v: {
      id: string;
      changes: { name?: string; description?: string; songIds?: string[] };
      paths: PlaylistField[];
    }) =>
      playlists.updatePlaylist({
        playlist: { id: v.id, ...v.changes },
        updateMask: create(FieldMaskSchema, { paths: v.paths }),
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: playlistKeys.all }),
    onError,
  });
}

export function useDeletePlaylist() {
  const { playlists } = useServices();
  const queryClient = useQueryClient();
  const onError = useOnDenied();
  return useMutation({
    mutationFn: (id: string) => playlists.deletePlaylist({ id }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: playlistKeys.all }),
    onError,
  });
}
