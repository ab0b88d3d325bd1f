/**
 * TanStack Query hooks for SongService. Songs belong to the active tenant, so
 * its id is part of every query key: a switch shows the other tenant's songs
 * (never this one's under its name). Live updates (a Watch stream) will
 * invalidate `songKeys.all` the same way a change made here does.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { useActing, useServices } from "../api/ServicesContext";
import type { SongField, SongValues } from "./songDraft";

/** What a page of the songs table asks for. */
export interface SongListQuery {
  filter: string;
  orderBy: string;
  pageSize: number;
  pageToken: string;
}

export const songKeys = {
  all: ["songs"] as const,
  list: (tenantId: string, query: SongListQuery) => ["songs", tenantId, "list", query] as const,
};

export function useSongPage(query: SongListQuery) {
  const { songs } = useServices();
  const tenantId = useActing()?.tenantId ?? "";
  return useQuery({
    queryKey: songKeys.list(tenantId, query),
    queryFn: ({ signal }) => songs.listSongs(query, { signal }),
    placeholderData: keepPreviousData,
  });
}

/**
 * After a change is refused as PERMISSION_DENIED the role in the access token
 * is out of date (someone made this user a viewer): fetch tokens with the
 * current role, so the page stops offering what the server refuses.
 */
export function useOnDenied() {
  const { session } = useServices();
  return (err: unknown) => {
    if (ConnectError.from(err).code === Code.PermissionDenied) session.refresh().catch(() => {});
  };
}

export function useCreateSong() {
  const { songs } = useServices();
  const queryClient = useQueryClient();
  const onError = useOnDenied();
  return useMutation({
    mutationFn: ({ values, requestId }: { values: SongValues; requestId: string }) =>
      songs.createSong({ song: values, requestId }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: songKeys.all }),
    onError,
  });
}

export function useUpdateSong() {
  const { songs } = useServices();
  const queryClient = useQueryClient();
  const onError = useOnDenied();
  return useMutation({
    mutationFn: ({ id, values, paths }: { id: string; values: SongValues; paths: SongField[] }) =>
      songs.updateSong({ song: { id, ...values }, updateMask: create(FieldMaskSchema, { paths }) }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: songKeys.all }),
    onError,
  });
}

export function useDeleteSong() {
  const { songs } = useServices();
  const queryClient = useQueryClient();
  const onError = useOnDenied();
  return useMutation({
    mutationFn: (id: string) => songs.deleteSong({ id }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: songKeys.all }),
    onError,
  });
}
