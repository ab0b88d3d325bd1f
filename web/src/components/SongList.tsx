import type { Song } from "../gen/chorus/resource/v1/song_service_pb";
import type { SongValues } from "../songs/songDraft";
import { SongRow } from "./SongRow";

interface SongListProps {
  songs: readonly Song[];
  editingId: string | null;
  deletingId: string | null;
  busy: boolean;
  /** Offer Edit and Delete (not to viewers). */
  canEdit: boolean;
  onEdit: (song: Song) => void;
  onCancelEdit: () => void;
  onSave: (song: Song, values: SongValues) => Promise<void>;
  onDelete: (song: Song) => void;
}

export function SongList({
  songs,
  editingId,
  deletingId,
  busy,
  canEdit,
  onEdit,
  onCancelEdit,
  onSave,
  onDelete,
}: SongListProps) {
  return (
    <ul className="song-list" aria-label="Songs" aria-busy={busy}>
      {songs.map((song) => (
        <SongRow
          key={song.id}
          song={song}
          editing={song.id === editingId}
          deleting={song.id === deletingId}
          canEdit={canEdit}
          onEdit={() => onEdit(song)}
          onCancelEdit={onCancelEdit}
          onSave={(values) => onSave(song, values)}
          onDelete={() => onDelete(song)}
        />
      ))}
    </ul>
  );
}
