import type { Song } from "../gen/chorus/resource/v1/song_service_pb";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { toastDone, toastFailed } from "../ui/toasts";
import { songActionSentence } from "./songErrors";
import { useDeleteSong } from "./songQueries";

interface DeleteSongDialogProps {
  /** The song to ask about; null: closed. */
  song: Song | null;
  onClose: () => void;
  onDeleted: () => void;
}

/** "Delete “X”?" asked once more; then the toast says what happened. */
export function DeleteSongDialog({ song, onClose, onDeleted }: DeleteSongDialogProps) {
  const deleteSong = useDeleteSong();

  async function confirm(target: Song) {
    try {
      await deleteSong.mutateAsync(target.id);
      toastDone(`Deleted “${target.name}”.`);
      onDeleted();
    } catch (err) {
      toastFailed(`“${target.name}” was not deleted. ${songActionSentence(err)}`);
    } finally {
      onClose();
    }
  }

  return (
    <ConfirmDialog
      opened={song !== null}
      title={`Delete “${song?.name ?? ""}”?`}
      body="It is removed for everyone in this tenant, and from its playlists."
      confirmLabel="Delete song"
      busy={deleteSong.isPending}
      onConfirm={() => song && void confirm(song)}
      onClose={onClose}
    />
  );
}
