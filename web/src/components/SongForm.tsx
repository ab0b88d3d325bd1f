import type { FormEvent, KeyboardEvent, RefObject } from "react";
import { useEffect, useId, useRef, useState } from "react";
import { flushSync } from "react-dom";
import type { FormErrors } from "../errors/formErrors";
import { invalidFields, noErrors } from "../errors/formErrors";
import type { SongDraft, SongField, SongValues } from "../songs/songDraft";
import { SONG_FIELDS, emptyDraft, songValues } from "../songs/songDraft";
import { songErrors } from "../songs/songErrors";
import { FormError } from "./FormError";
import { TextField } from "./TextField";

interface SongFormProps {
  /** The form's visible heading and accessible name, e.g. "Add a song" or "Edit Aberdeen". */
  title: string;
  initial: SongDraft;
  submitLabel: string;
  /** Sends the song; throws the service's error to show it in the form. */
  onSubmit: (values: SongValues, draft: SongDraft) => Promise<void>;
  /** Shows a Cancel button (also Escape). */
  onCancel?: () => void;
  /** Clear the fields after a successful submit (adding several songs). */
  resetOnSuccess?: boolean;
  /** Focus the Name field when the form appears. */
  focusOnMount?: boolean;
}

/** Name, artist and year of a song: used to add and to edit. */
export function SongForm({
  title,
  initial,
  submitLabel,
  onSubmit,
  onCancel,
  resetOnSuccess = false,
  focusOnMount = false,
}: SongFormProps) {
  const [draft, setDraft] = useState<SongDraft>(initial);
  const [errors, setErrors] = useState<FormErrors<SongField>>(noErrors);
  const [pending, setPending] = useState(false);
  const titleId = useId();
  const formErrorRef = useRef<HTMLParagraphElement>(null);
  const nameInput = useRef<HTMLInputElement>(null);
  const artistInput = useRef<HTMLInputElement>(null);
  const yearInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (focusOnMount) nameInput.current?.focus();
  }, [focusOnMount]);

  /** Show the errors, then focus the first field in error (or the form's error). */
  function showErrors(found: FormErrors<SongField>) {
    flushSync(() => setErrors(found));
    const inputs: Record<SongField, RefObject<HTMLInputElement | null>> = {
      name: nameInput,
      artist: artistInput,
      year: yearInput,
    };
    const [first] = invalidFields(found, SONG_FIELDS);
    if (first) inputs[first].current?.focus();
    else formErrorRef.current?.focus();
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    const checked = songValues(draft);
    if (!checked.ok) {
      showErrors({ fields: checked.errors });
      return;
    }
    setPending(true);
    setErrors(noErrors);
    try {
      await onSubmit(checked.values, draft);
      if (resetOnSuccess) {
        setDraft(emptyDraft);
        nameInput.current?.focus();
      }
    } catch (err) {
      showErrors(songErrors(err));
    } finally {
      setPending(false);
    }
  }

  function cancelOnEscape(event: KeyboardEvent<HTMLFormElement>) {
    if (event.key === "Escape" && onCancel) {
      event.preventDefault();
      onCancel();
    }
  }

  const set = (field: SongField) => (value: string) => setDraft((d) => ({ ...d, [field]: value }));
  return (
    <form
      className="song-form"
      aria-labelledby={titleId}
      aria-busy={pending}
      noValidate
      onSubmit={(e) => void submit(e)}
      onKeyDown={cancelOnEscape}
    >
      <h3 id={titleId}>{title}</h3>
      <div className="song-fields">
        <TextField
          ref={nameInput}
          label="Name"
          required
          value={draft.name}
          onChange={set("name")}
          error={errors.fields.name}
        />
        <TextField
          ref={artistInput}
          label="Artist"
          required
          value={draft.artist}
          onChange={set("artist")}
          error={errors.fields.artist}
        />
        <TextField
          ref={yearInput}
          label="Year"
          inputMode="numeric"
          hint="Optional."
          value={draft.year}
          onChange={set("year")}
          error={errors.fields.year}
        />
      </div>
      <FormError ref={formErrorRef} message={errors.form} />
      <div className="form-actions">
        <button type="submit" className="primary">
          {submitLabel}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
        {pending && (
          <span className="pending" role="status">
            Saving…
          </span>
        )}
      </div>
    </form>
  );
}
