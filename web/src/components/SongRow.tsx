import { useEffect, useId, useRef } from "react";
import type { Song } from "../gen/chorus/resource/v1/song_service_pb";
import type { SongValues } from "../songs/songDraft";
import { draftFromSong, songByline } from "../songs/songDraft";
import { SongForm } from "./SongForm";

interface SongRowProps {
  song: Song;
  editing: boolean;
  deleting: boolean;
  canEdit: boolean;
  onEdit: () => void;
  onCancelEdit: () => void;
  onSave: (values: SongValues) => Promise<void>;
  onDelete: () => void;
}

/** One song of the list, with Edit and Delete (unless read-only); while editing, its edit form. */
export function SongRow({
  song,
  editing,
  deleting,
  canEdit,
  onEdit,
  onCancelEdit,
  onSave,
  onDelete,
}: SongRowProps) {
  const titleId = useId();
  const editButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(editing);

  // Back from the edit form: focus returns to this row's Edit button.
  useEffect(() => {
    if (wasEditing.current && !editing) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  if (editing && canEdit) {
    return (
      <li className="song-row editing" data-testid="song-row">
        <SongForm
          title={`Edit ${song.name}`}
          initial={draftFromSong(song)}
          submitLabel="Save"
          onSubmit={onSave}
          onCancel={onCancelEdit}
          focusOnMount
        />
      </li>
    );
  }
  return (
    <li className="song-row" data-testid="song-row" aria-busy={deleting}>
      <div className="song-info">
        <span className="song-name" id={titleId}>
          {song.name}
        </span>
        <span className="song-byline">{songByline(song)}</span>
      </div>
      {canEdit && (
        <div className="song-actions">
          <button type="button" ref={editButton} onClick={onEdit} aria-describedby={titleId}>
            Edit
          </button>
          <button
            type="button"
            className="danger"
            onClick={onDelete}
            disabled={deleting}
            aria-describedby={titleId}
          >
            Delete
          </button>
        </div>
      )}
    </li>
  );
}
