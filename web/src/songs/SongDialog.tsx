import { Modal, Stack, TextInput } from "@mantine/core";
import type { FormEvent } from "react";
import { useRef, useState } from "react";
import { useFormErrors } from "../errors/useFormErrors";
import type { Song } from "../gen/chorus/resource/v1/song_service_pb";
import { DialogActions } from "../ui/DialogActions";
import { FormError } from "../ui/FormError";
import { toastDone } from "../ui/toasts";
import { RequestIds } from "./requestId";
import type { SongDraft } from "./songDraft";
import { SONG_FIELDS, changedFields, draftFromSong, emptyDraft, songValues } from "./songDraft";
import { songErrors, songRuleErrors } from "./songErrors";
import { useCreateSong, useUpdateSong } from "./songQueries";

interface SongDialogProps {
  /** The song to edit, or null to add one. */
  song: Song | null;
  onClose: () => void;
}

/**
 * "Add a song" or "Edit “X”": name, artist and year, checked against the
 * contract's rules before sending and by the server after.
 */
export function SongDialog({ song, onClose }: SongDialogProps) {
  const [draft, setDraft] = useState<SongDraft>(song ? draftFromSong(song) : emptyDraft);
  const { errors, show, clear, fieldRef, formErrorRef } = useFormErrors(SONG_FIELDS);
  const createSong = useCreateSong();
  const updateSong = useUpdateSong();
  const requestIds = useRef(new RequestIds());
  const pending = createSong.isPending || updateSong.isPending;
  const title = song ? `Edit “${song.name}”` : "Add a song";

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    const checked = songValues(draft);
    if (!checked.ok) return show({ fields: checked.errors });
    const broken = songRuleErrors(checked.values);
    if (broken) return show(broken);
    clear();
    try {
      if (!song) {
        const requestId = requestIds.current.for(JSON.stringify(draft));
        await createSong.mutateAsync({ values: checked.values, requestId });
        requestIds.current.done();
        toastDone(`Added “${checked.values.name}”.`);
      } else {
        const paths = changedFields(song, checked.values);
        if (paths.length) await updateSong.mutateAsync({ id: song.id, values: checked.values, paths });
        toastDone(paths.length ? `Saved “${checked.values.name}”.` : "Nothing changed.");
      }
      onClose();
    } catch (err) {
      show(songErrors(err));
    }
  }

  const set = (field: keyof SongDraft) => (value: string) => setDraft((d) => ({ ...d, [field]: value }));
  return (
    <Modal opened onClose={onClose} title={title} centered>
      <form aria-label={title} noValidate aria-busy={pending} onSubmit={(e) => void submit(e)}>
        <Stack gap="sm">
          <TextInput
            ref={fieldRef("name")}
            label="Name"
            required
            data-autofocus
            value={draft.name}
            onChange={(e) => set("name")(e.currentTarget.value)}
            error={errors.fields.name}
          />
          <TextInput
            ref={fieldRef("artist")}
            label="Artist"
            required
            value={draft.artist}
            onChange={(e) => set("artist")(e.currentTarget.value)}
            error={errors.fields.artist}
          />
          <TextInput
            ref={fieldRef("year")}
            label="Year"
            inputMode="numeric"
            description="Optional."
            inputWrapperOrder={["label", "input", "description", "error"]}
            value={draft.year}
            onChange={(e) => set("year")(e.currentTarget.value)}
            error={errors.fields.year}
          />
          <FormError ref={formErrorRef} message={errors.form} />
          <DialogActions label={song ? "Save" : "Add song"} busy={pending} onCancel={onClose} />
        </Stack>
      </form>
    </Modal>
  );
}
