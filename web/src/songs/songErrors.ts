/** How CreateSong and UpdateSong errors read next to the song form's fields. */
import { Code, ConnectError } from "@connectrpc/connect";
import type { FieldTarget, FormErrors } from "../errors/formErrors";
import { formErrorsFrom } from "../errors/formErrors";
import { errorSentence } from "../errors/sentences";
import type { SongField } from "./songDraft";

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

/** A sentence for a failed song action outside a form (deleting). */
export function songActionSentence(err: unknown): string {
  return ConnectError.from(err).code === Code.PermissionDenied ? SONGS_READ_ONLY : errorSentence(err);
}
