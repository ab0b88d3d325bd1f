/**
 * A file the user picked, as an ImportSongs request. The format comes from
 * the file's ending, as the Python client decides it (`.csv` or `.json`);
 * the server reads and checks the rest.
 */
import { ImportFormat } from "../gen/chorus/resource/v1/operation_service_pb";

export type ImportRequest = { document: Uint8Array; format: ImportFormat };

/** The request for `file`, or a sentence saying why it can't be sent. */
export async function importRequest(file: File): Promise<ImportRequest | string> {
  const format = formatOf(file.name);
  if (format === ImportFormat.UNSPECIFIED) {
    return `“${file.name}” is neither a .csv nor a .json file. Choose one of those.`;
  }
  if (file.size === 0) return `“${file.name}” is empty.`;
  return { document: new Uint8Array(await file.arrayBuffer()), format };
}

export function formatOf(fileName: string): ImportFormat {
  const ending = fileName.toLowerCase().split(".").pop();
  if (ending === "csv") return ImportFormat.CSV;
  if (ending === "json") return ImportFormat.JSON;
  return ImportFormat.UNSPECIFIED;
}

/** "1.2 MB": a size in bytes for people (MB of 1,048,576 bytes, as file managers count). */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes.toLocaleString()} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
