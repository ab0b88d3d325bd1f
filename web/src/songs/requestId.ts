/**
 * request_id for CreateSong: one per song the user means to add, so a retry
 * of the same form (after a lost answer) can't add the song twice.
 */

/** A random UUID (v4), also outside secure contexts where randomUUID is missing. */
export function newRequestId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Keeps one request id per draft: the same draft submitted again gets the
 * same id; a changed draft, or one that was added already, gets a new one.
 */
export class RequestIds {
  #key: string | null = null;
  #id = "";

  constructor(private readonly make: () => string = newRequestId) {}

  for(draftKey: string): string {
    if (draftKey !== this.#key) {
      this.#key = draftKey;
      this.#id = this.make();
    }
    return this.#id;
  }

  /** The last draft was stored: the next one needs a fresh id. */
  done(): void {
    this.#key = null;
  }
}
