/**
 * A song as typed into a form, and what to send for it: the create payload,
 * or the changed fields and their update_mask for UpdateSong.
 *
 * The services validate names, artists and years (and say what is wrong as
 * field violations); the form only checks what it can't send otherwise: a
 * year that is not a whole number.
 */
import type { Song } from "../gen/chorus/resource/v1/song_service_pb";

export interface SongDraft {
  name: string;
  artist: string;
  /** As typed; empty for no year. */
  year: string;
}

export type SongField = keyof SongDraft;
export const SONG_FIELDS: readonly SongField[] = ["name", "artist", "year"];

/** Fields of a Song message that a draft can set. */
export interface SongValues {
  name: string;
  artist: string;
  year?: number;
}

export const emptyDraft: SongDraft = { name: "", artist: "", year: "" };

export function draftFromSong(song: Pick<Song, "name" | "artist" | "year">): SongDraft {
  return { name: song.name, artist: song.artist, year: song.year === undefined ? "" : String(song.year) };
}

export type YearResult = { ok: true; year: number | undefined } | { ok: false; error: string };

export function parseYear(text: string): YearResult {
  const trimmed = text.trim();
  if (!trimmed) return { ok: true, year: undefined };
  if (!/^-?\d+$/.test(trimmed)) return { ok: false, error: "Year must be a whole number, like 1994." };
  const year = Number(trimmed);
  if (!Number.isSafeInteger(year) || Math.abs(year) > 2 ** 31 - 1) {
    return { ok: false, error: "Year is too large." };
  }
  return { ok: true, year };
}

/** The values to send, or the field errors that stop sending. */
export function songValues(
  draft: SongDraft,
): { ok: true; values: SongValues } | { ok: false; errors: Partial<Record<SongField, string>> } {
  const year = parseYear(draft.year);
  if (!year.ok) return { ok: false, errors: { year: year.error } };
  const values: SongValues = { name: draft.name, artist: draft.artist };
  if (year.year !== undefined) values.year = year.year;
  return { ok: true, values };
}

/** The update_mask paths of the fields that differ from the stored song. */
export function changedFields(
  original: Pick<Song, "name" | "artist" | "year">,
  values: SongValues,
): SongField[] {
  const changed: SongField[] = [];
  if (values.name !== original.name) changed.push("name");
  if (values.artist !== original.artist) changed.push("artist");
  if (values.year !== original.year) changed.push("year");
  return changed;
}

/** A song's year and artist for display: "Cage the Elephant · 2011". */
export function songByline(song: Pick<Song, "artist" | "year">): string {
  return song.year === undefined ? song.artist : `${song.artist} · ${song.year}`;
}
