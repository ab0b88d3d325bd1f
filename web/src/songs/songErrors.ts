/** How CreateSong and UpdateSong errors, and the contract's song rules, read next to the song form's fields. */
import { Code, ConnectError } from "@connectrpc/connect";
import { checkRequest } from "../errors/contractRules";
import type { FieldTarget, FormErrors } from "../errors/formErrors";
import { formErrorsFrom } from "../errors/formErrors";
import { errorSentence } from "../errors/sentences";
import { CreateSongRequestSchema } from "../gen/chorus/resource/v1/song_service_pb";
import type { SongField, SongValues } from "./songDraft";

const targets: Record<string, FieldTarget<SongField>> = {
  "song.name": { key: "name", label: "Name" },
  "song.artist": { key: "artist", label: "Artist" },
  "song.year": { key: "year", label: "Year" },
};

/** A viewer's change, refused by the resource service. */
export const SONGS_READ_ONLY =
  "Your role in this tenant only lets you read its songs. Ask an owner or admin to make you an editor.";

export function songErrors(err: unknown): FormErrors<SongField> {
  return formErrorsFrom(err, targets, {
    [Code.NotFound]: { message: "This song no longer exists. It may have been deleted elsewhere." },
    [Code.PermissionDenied]: { message: SONGS_READ_ONLY },
  });
}

/** The song's values against the contract's rules (Song's buf.validate annotations); null when they pass. */
export function songRuleErrors(values: SongValues): FormErrors<SongField> | null {
  return checkRequest(CreateSongRequestSchema, { song: values }, targets);
}

/** A sentence for a failed song action outside a form (deleting). */
export function songActionSentence(err: unknown): string {
  return ConnectError.from(err).code === Code.PermissionDenied ? SONGS_READ_ONLY : errorSentence(err);
}
