import { describe, expect, it } from "vitest";
import { playlistRuleErrors } from "../playlists/playlistErrors";
import { songRuleErrors } from "../songs/songErrors";

describe("the contract's rules, checked in the browser", () => {
  it("passes a valid song", () => {
    expect(songRuleErrors({ name: "Aberdeen", artist: "Cage the Elephant", year: 2011 })).toBeNull();
  });

  it("puts each broken rule under its field, in the server's words", () => {
    const errors = songRuleErrors({ name: "  ", artist: "x".repeat(201), year: 3000 });
    expect(errors?.fields.name).toBe("Name must not be empty or blank.");
    expect(errors?.fields.artist).toMatch(/^Artist .*200/);
    expect(errors?.fields.year).toMatch(/^Year .*2100/);
  });

  it("checks playlists too", () => {
    expect(playlistRuleErrors({ name: "Road trip", description: "" })).toBeNull();
    expect(playlistRuleErrors({ name: "", description: "x".repeat(2001) })?.fields).toEqual({
      name: expect.stringMatching(/^Name /) as string,
      description: expect.stringMatching(/^Description .*2000/) as string,
    });
  });
});
