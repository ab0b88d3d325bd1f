/** How playlist errors, and the contract's playlist rules, read next to the playlist form's fields. */
import { Code } from "@connectrpc/connect";
import { checkRequest } from "../errors/contractRules";
import type { FieldTarget, FormErrors } from "../errors/formErrors";
import { formErrorsFrom } from "../errors/formErrors";
import { CreatePlaylistRequestSchema } from "../gen/chorus/resource/v1/playlist_service_pb";

export type PlaylistFormField = "name" | "description";
export const PLAYLIST_FIELDS: readonly PlaylistFormField[] = ["name", "description"];

const targets: Record<string, FieldTarget<PlaylistFormField>> = {
  "playlist.name": { key: "name", label: "Name" },
  "playlist.description": { key: "description", label: "Description" },
};

export const PLAYLISTS_READ_ONLY =
  "Your role in this tenant only lets you read its playlists. Ask an owner or admin to make you an editor.";

export function playlistErrors(err: unknown): FormErrors<PlaylistFormField> {
  return formErrorsFrom(err, targets, {
    [Code.NotFound]: { message: "This playlist no longer exists. It may have been deleted elsewhere." },
    [Code.PermissionDenied]: { message: PLAYLISTS_READ_ONLY },
  });
}

/** Name and description against the contract's rules; null when they pass. */
export function playlistRuleErrors(values: {
  name: string;
  description: string;
}): FormErrors<PlaylistFormField> | null {
  return checkRequest(CreatePlaylistRequestSchema, { playlist: values }, targets);
}
