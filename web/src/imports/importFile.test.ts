import { describe, expect, it } from "vitest";
import { ImportFormat } from "../gen/chorus/resource/v1/operation_service_pb";
import { fileSize, formatOf, importRequest } from "./importFile";

describe("importRequest", () => {
  it("reads a .csv or .json file, the format from its ending", async () => {
    const csv = await importRequest(new File(["name,artist\nA,B\n"], "Songs.CSV"));
    if (typeof csv === "string") throw new Error(csv);
    expect(new TextDecoder().decode(csv.document)).toBe("name,artist\nA,B\n");
    expect(csv.format).toBe(ImportFormat.CSV);
    expect(formatOf("mix.json")).toBe(ImportFormat.JSON);
  });

  it("says why a file can't be sent", async () => {
    expect(await importRequest(new File(["x"], "songs.txt"))).toBe(
      "“songs.txt” is neither a .csv nor a .json file. Choose one of those.",
    );
    expect(await importRequest(new File([], "empty.csv"))).toBe("“empty.csv” is empty.");
  });

  it("gives sizes as people read them", () => {
    expect(fileSize(900)).toBe("900 bytes");
    expect(fileSize(1_048_576)).toBe("1.0 MB");
    expect(fileSize(1_200_020)).toBe("1.1 MB");
  });
});
