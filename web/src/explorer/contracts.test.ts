import { describe, expect, it } from "vitest";
import { commentOf, exampleOf, findMethod, loadContracts, rulesOf, servicesOf, typeLabel } from "./contracts";

const registry = loadContracts();

describe("the explorer's contracts", () => {
  it("lists every service of protos/", () => {
    expect(servicesOf(registry).map((s) => s.typeName)).toEqual(
      expect.arrayContaining([
        "chorus.auth.v1.AuthService",
        "chorus.auth.v1.TenantService",
        "chorus.resource.v1.PlaylistService",
        "chorus.resource.v1.SongService",
      ]) as string[],
    );
  });

  it("has the comments and the field rules of the .proto files", () => {
    const createSong = findMethod(registry, "chorus.resource.v1.SongService/CreateSong");
    expect(createSong).toBeDefined();
    if (!createSong) return;
    expect(commentOf(createSong)).toMatch(/^Add a song\./);
    const song = createSong.input.fields.find((f) => f.name === "song");
    expect(song && rulesOf(song, registry)).toEqual({ required: true });
    const year = song?.message?.fields.find((f) => f.name === "year");
    expect(year && typeLabel(year)).toBe("optional int32");
    expect(year && rulesOf(year, registry)).toMatchObject({ int32: { gte: 1000, lte: 2100 } });
    const name = song?.message?.fields.find((f) => f.name === "name");
    expect(name && rulesOf(name, registry)).toMatchObject({
      string: { maxLen: "200", "[chorus.type.v1.not_blank]": true },
    });
  });

  it("offers an example request without output-only fields", () => {
    const createSong = findMethod(registry, "chorus.resource.v1.SongService/CreateSong");
    const example = createSong ? exampleOf(createSong.input) : {};
    expect(example).toMatchObject({ song: { name: "Aberdeen", artist: "Cage the Elephant", year: 2011 } });
    expect(example.song).not.toHaveProperty("createTime");
    expect(example.song).not.toHaveProperty("createdBy");
  });

  it("finds no method that does not exist", () => {
    expect(findMethod(registry, "chorus.resource.v1.SongService/Nothing")).toBeUndefined();
    expect(findMethod(registry, "")).toBeUndefined();
  });
});
