import { Code, ConnectError } from "@connectrpc/connect";
import { useEffect, useReducer, useRef, useState } from "react";
import { useActing } from "../api/ServicesContext";
import { pageSize } from "../config";
import { errorSentence } from "../errors/sentences";
import { Role } from "../gen/chorus/auth/v1/auth_service_pb";
import type { Song } from "../gen/chorus/resource/v1/song_service_pb";
import { currentPageToken, firstPage, hasPreviousPage, pageNumber, pagingReducer } from "../songs/paging";
import type { SongValues } from "../songs/songDraft";
import { changedFields } from "../songs/songDraft";
import { songActionSentence } from "../songs/songErrors";
import { useDeleteSong, useSongPage, useUpdateSong } from "../songs/songQueries";
import { canChangeSongs } from "../tenants/roles";
import { AddSongPanel } from "./AddSongPanel";
import { FormError } from "./FormError";
import { Loading } from "./Loading";
import { Pager } from "./Pager";
import { SongList } from "./SongList";
import { StatusMessage } from "./StatusMessage";

/**
 * The songs of the active tenant: add, page through, edit, delete. Viewers
 * only read: the add form and the Edit and Delete buttons are not shown.
 */
export function SongsSection() {
  const [paging, dispatch] = useReducer(pagingReducer, firstPage);
  const [editingId, setEditingId] = useState<string | null>(null);
  const [deletingId, setDeletingId] = useState<string | null>(null);
  const [status, setStatus] = useState("");
  const [actionError, setActionError] = useState("");
  const headingRef = useRef<HTMLHeadingElement>(null);
  const page = useSongPage(pageSize, currentPageToken(paging));
  const updateSong = useUpdateSong();
  const deleteSong = useDeleteSong();
  const canEdit = canChangeSongs(useActing()?.role ?? Role.UNSPECIFIED);

  // Shown after logging in (focus is nowhere then): start reading here. After
  // a tenant switch the focus stays where the user is.
  useEffect(() => {
    const focused = document.activeElement;
    if (!focused || focused === document.body) headingRef.current?.focus();
  }, []);

  const songs = page.data?.songs ?? [];
  const nextPageToken = page.isPlaceholderData ? "" : (page.data?.nextPageToken ?? "");

  function say(message: string) {
    setActionError("");
    setStatus(message);
  }

  async function save(song: Song, values: SongValues) {
    const paths = changedFields(song, values);
    if (paths.length === 0) {
      setEditingId(null);
      say("Nothing changed.");
      return;
    }
    const { song: saved } = await updateSong.mutateAsync({ id: song.id, values, paths });
    setEditingId(null);
    say(`Saved “${saved?.name ?? values.name}”.`);
  }

  async function remove(song: Song) {
    setDeletingId(song.id);
    try {
      await deleteSong.mutateAsync(song.id);
      say(`Deleted “${song.name}”.`);
    } catch (err) {
      if (ConnectError.from(err).code !== Code.NotFound) {
        setStatus("");
        setActionError(`“${song.name}” was not deleted. ${songActionSentence(err)}`);
        return;
      }
      say(`“${song.name}” was already deleted.`);
    } finally {
      setDeletingId(null);
    }
    dispatch({ type: "deleted", songsLeft: songs.length - 1 });
    headingRef.current?.focus();
  }

  function turnPage(action: "next" | "previous") {
    setEditingId(null);
    dispatch(action === "next" ? { type: "next", nextPageToken } : { type: "previous" });
  }

  return (
    <section className="card songs" aria-labelledby="songs-heading">
      <h2 id="songs-heading" ref={headingRef} tabIndex={-1}>
        Your songs
      </h2>
      <StatusMessage message={status} />
      <FormError message={actionError} />
      {!canEdit && (
        <p className="note">You are a viewer in this tenant: you can read its songs but not change them.</p>
      )}
      {canEdit && editingId === null && <AddSongPanel onAdded={(name) => say(`Added “${name}”.`)} />}
      {page.isPending ? (
        <Loading label="Loading songs…" />
      ) : page.isError && !page.data ? (
        <div className="load-error">
          <p role="alert">{`Your songs could not be loaded. ${errorSentence(page.error)}`}</p>
          <button type="button" onClick={() => void page.refetch()}>
            Try again
          </button>
        </div>
      ) : (
        <>
          {page.isError && <p role="alert">{`The list may be out of date. ${errorSentence(page.error)}`}</p>}
          {songs.length === 0 ? (
            <p className="empty">
              {hasPreviousPage(paging)
                ? "No more songs on this page."
                : canEdit
                  ? "No songs yet. Add your first one above."
                  : "No songs yet."}
            </p>
          ) : (
            <SongList
              songs={songs}
              editingId={editingId}
              deletingId={deletingId}
              busy={page.isFetching}
              canEdit={canEdit}
              onEdit={(song) => setEditingId(song.id)}
              onCancelEdit={() => setEditingId(null)}
              onSave={save}
              onDelete={(song) => void remove(song)}
            />
          )}
          {page.isPlaceholderData && <Loading label={`Loading page ${pageNumber(paging)}…`} />}
        </>
      )}
      <Pager
        page={pageNumber(paging)}
        hasPrevious={hasPreviousPage(paging)}
        hasNext={nextPageToken !== ""}
        onPrevious={() => turnPage("previous")}
        onNext={() => turnPage("next")}
      />
    </section>
  );
}
