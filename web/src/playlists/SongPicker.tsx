import { Select } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useState } from "react";
import { searchFilter } from "../songs/songListParams";
import { useSongPage } from "../songs/songQueries";

const RESULTS = 20;

interface SongPickerProps {
  /** Songs already in the playlist: not offered again. */
  exclude: ReadonlySet<string>;
  disabled?: boolean;
  onPick: (songId: string, name: string) => void;
}

/** "Add a song": type part of a name or artist, the server finds the songs, pick one. */
export function SongPicker({ exclude, disabled, onPick }: SongPickerProps) {
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search, 250);
  const found = useSongPage({
    filter: searchFilter(debounced),
    orderBy: "name",
    pageSize: RESULTS,
    pageToken: "",
  });
  const data = (found.data?.songs ?? [])
    .filter((song) => !exclude.has(song.id))
    .map((song) => ({ value: song.id, label: `${song.name} — ${song.artist}` }));

  return (
    <Select
      label="Add a song"
      placeholder="Search your songs by name or artist"
      searchable
      filter={({ options }) => options}
      data={data}
      value={null}
      searchValue={search}
      onSearchChange={setSearch}
      nothingFoundMessage={found.isFetching ? "Searching…" : "No songs found"}
      disabled={disabled}
      onChange={(value, option) => {
        if (value) onPick(value, option?.label ?? "");
        setSearch("");
      }}
    />
  );
}
