/** How CreateSong and UpdateSong errors read next to the song form's fields. */
import { Code } from "@connectrpc/connect";
import type { FieldTarget, FormErrors } from "../errors/formErrors";
import { formErrorsFrom } from "../errors/formErrors";
import type { SongField } from "./songDraft";

const targets: Record<string, FieldTarget<SongField>> = {
  "song.name": { key: "name", label: "Name" },
  "song.artist": { key: "artist", label: "Artist" },
  "song.year": { key: "year", label: "Year" },
};

export function songErrors(err: unknown): FormErrors<SongField> {
  return formErrorsFrom(err, targets, {
    [Code.NotFound]: { message: "This song no longer exists. It may have been deleted elsewhere." },
  });
}
