import { describe, expect, it } from "vitest";
import { changedFields, draftFromSong, parseYear, songByline, songValues } from "./songDraft";

const stored = { name: "Aberdeen", artist: "Cage the Elephant", year: 2011 };

describe("parseYear", () => {
  it("accepts whole numbers and blank", () => {
    expect(parseYear(" 2011 ")).toEqual({ ok: true, year: 2011 });
    expect(parseYear("")).toEqual({ ok: true, year: undefined });
    expect(parseYear("   ")).toEqual({ ok: true, year: undefined });
  });
  it("leaves range checks to the server but refuses what can't be sent", () => {
    expect(parseYear("3000")).toEqual({ ok: true, year: 3000 });
    expect(parseYear("19.5")).toMatchObject({ ok: false });
    expect(parseYear("nineteen")).toMatchObject({ ok: false });
    expect(parseYear("99999999999")).toMatchObject({ ok: false });
  });
});

describe("songValues", () => {
  it("sends name and artist as typed, and a year only if given", () => {
    expect(songValues({ name: "A", artist: "B", year: "" })).toEqual({
      ok: true,
      values: { name: "A", artist: "B" },
    });
    expect(songValues({ name: "A", artist: "B", year: "1999" })).toEqual({
      ok: true,
      values: { name: "A", artist: "B", year: 1999 },
    });
  });
  it("reports a bad year against the Year field", () => {
    expect(songValues({ name: "A", artist: "B", year: "soon" })).toEqual({
      ok: false,
      errors: { year: "Year must be a whole number, like 1994." },
    });
  });
});

describe("changedFields (the update_mask)", () => {
  it("is empty when nothing changed", () => {
    expect(changedFields(stored, { name: "Aberdeen", artist: "Cage the Elephant", year: 2011 })).toEqual([]);
  });
  it("names only the changed fields", () => {
    expect(changedFields(stored, { ...stored, year: 2012 })).toEqual(["year"]);
    expect(changedFields(stored, { ...stored, name: "Trouble", artist: "Cage" })).toEqual(["name", "artist"]);
  });
  it("names year when it is cleared, so the server clears it", () => {
    expect(changedFields(stored, { name: stored.name, artist: stored.artist })).toEqual(["year"]);
  });
  it("names year when one is added", () => {
    expect(changedFields({ name: "A", artist: "B" }, { name: "A", artist: "B", year: 1990 })).toEqual([
      "year",
    ]);
  });
});

describe("display helpers", () => {
  it("round-trips a song into a draft", () => {
    expect(draftFromSong(stored)).toEqual({ name: "Aberdeen", artist: "Cage the Elephant", year: "2011" });
    expect(draftFromSong({ name: "A", artist: "B" })).toEqual({ name: "A", artist: "B", year: "" });
  });
  it("shows the artist and the year if known", () => {
    expect(songByline(stored)).toBe("Cage the Elephant · 2011");
    expect(songByline({ artist: "B" })).toBe("B");
  });
});
