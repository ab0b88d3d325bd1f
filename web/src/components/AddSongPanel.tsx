import { useState } from "react";
import { emptyDraft } from "../songs/songDraft";
import type { SongDraft, SongValues } from "../songs/songDraft";
import { useCreateSong } from "../songs/songQueries";
import { RequestIds } from "../songs/requestId";
import { SongForm } from "./SongForm";

interface AddSongPanelProps {
  onAdded: (name: string) => void;
}

/** The "Add a song" form; a retried add of the same draft is sent with the same request_id. */
export function AddSongPanel({ onAdded }: AddSongPanelProps) {
  const createSong = useCreateSong();
  const [requestIds] = useState(() => new RequestIds());

  async function add(values: SongValues, draft: SongDraft) {
    const requestId = requestIds.for(JSON.stringify(draft));
    const { song } = await createSong.mutateAsync({ values, requestId });
    requestIds.done();
    onAdded(song?.name ?? values.name);
  }

  return (
    <div className="add-song">
      <SongForm
        title="Add a song"
        initial={emptyDraft}
        submitLabel="Add song"
        onSubmit={add}
        resetOnSuccess
      />
    </div>
  );
}
