import { Modal, Stack, TextInput, Textarea } from "@mantine/core";
import type { FormEvent } from "react";
import { useRef, useState } from "react";
import { useNavigate } from "react-router";
import { useFormErrors } from "../errors/useFormErrors";
import type { Playlist } from "../gen/chorus/resource/v1/playlist_service_pb";
import { RequestIds } from "../songs/requestId";
import { DialogActions } from "../ui/DialogActions";
import { FormError } from "../ui/FormError";
import { toastDone } from "../ui/toasts";
import { PLAYLIST_FIELDS, playlistErrors, playlistRuleErrors } from "./playlistErrors";
import type { PlaylistField } from "./playlistQueries";
import { useCreatePlaylist, useUpdatePlaylist } from "./playlistQueries";

interface PlaylistDialogProps {
  /** The playlist to rename and describe, or null for a new one. */
  playlist: Playlist | null;
  onClose: () => void;
}

/** "New playlist" (then opens it) or "Edit “X”": a name and a description. */
export function PlaylistDialog({ playlist, onClose }: PlaylistDialogProps) {
  const [name, setName] = useState(playlist?.name ?? "");
  const [description, setDescription] = useState(playlist?.description ?? "");
  const { errors, show, clear, fieldRef, formErrorRef } = useFormErrors(PLAYLIST_FIELDS);
  const createPlaylist = useCreatePlaylist();
  const updatePlaylist = useUpdatePlaylist();
  const requestIds = useRef(new RequestIds());
  const navigate = useNavigate();
  const pending = createPlaylist.isPending || updatePlaylist.isPending;
  const title = playlist ? `Edit “${playlist.name}”` : "New playlist";

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    const broken = playlistRuleErrors({ name, description });
    if (broken) return show(broken);
    clear();
    try {
      if (!playlist) {
        const requestId = requestIds.current.for(JSON.stringify([name, description]));
        const created = (await createPlaylist.mutateAsync({ name, description, requestId })).playlist;
        requestIds.current.done();
        toastDone(`Created the playlist “${name}”.`);
        onClose();
        if (created) void navigate(`/playlists/${created.id}`);
        return;
      }
      const paths: PlaylistField[] = [];
      if (name !== playlist.name) paths.push("name");
      if (description !== playlist.description) paths.push("description");
      if (paths.length)
        await updatePlaylist.mutateAsync({ id: playlist.id, changes: { name, description }, paths });
      toastDone(paths.length ? `Saved “${name}”.` : "Nothing changed.");
      onClose();
    } catch (err) {
      show(playlistErrors(err));
    }
  }

  return (
    <Modal opened onClose={onClose} title={title} centered>
      <form aria-label={title} noValidate aria-busy={pending} onSubmit={(e) => void submit(e)}>
        <Stack gap="sm">
          <TextInput
            ref={fieldRef("name")}
            label="Name"
            required
            data-autofocus
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errors.fields.name}
          />
          <Textarea
            ref={fieldRef("description")}
            label="Description"
            description="Optional."
            inputWrapperOrder={["label", "input", "description", "error"]}
            autosize
            minRows={2}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            error={errors.fields.description}
          />
          <FormError ref={formErrorRef} message={errors.form} />
          <DialogActions label={playlist ? "Save" : "Create playlist"} busy={pending} onCancel={onClose} />
        </Stack>
      </form>
    </Modal>
  );
}
