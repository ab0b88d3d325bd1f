/** TanStack Query hooks for SongService. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { useServices } from "../api/ServicesContext";
import type { SongField, SongValues } from "./songDraft";

export const songKeys = {
  all: ["songs"] as const,
  page: (pageSize: number, pageToken: string) => ["songs", "page", pageSize, pageToken] as const,
};

export function useSongPage(pageSize: number, pageToken: string) {
  const { songs } = useServices();
  return useQuery({
    queryKey: songKeys.page(pageSize, pageToken),
    queryFn: ({ signal }) => songs.listSongs({ pageSize, pageToken }, { signal }),
    placeholderData: keepPreviousData,
  });
}

export function useCreateSong() {
  const { songs } = useServices();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ values, requestId }: { values: SongValues; requestId: string }) =>
      songs.createSong({ song: values, requestId }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: songKeys.all }),
  });
}

export function useUpdateSong() {
  const { songs } = useServices();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, values, paths }: { id: string; values: SongValues; paths: SongField[] }) =>
      songs.updateSong({ song: { id, ...values }, updateMask: create(FieldMaskSchema, { paths }) }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: songKeys.all }),
  });
}

export function useDeleteSong() {
  const { songs } = useServices();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => songs.deleteSong({ id }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: songKeys.all }),
  });
}
