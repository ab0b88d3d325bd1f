/**
 * Where the refresh token lives between page loads.
 *
 * Only the refresh token is persisted (localStorage), so a reload can resume
 * the session; the access token stays in memory. Other tabs see changes
 * through the `storage` event (a logout in one tab ends the others).
 */

export const REFRESH_TOKEN_KEY = "chorus.refreshToken";

export interface RefreshTokenStore {
  read(): string | null;
  write(token: string): void;
  clear(): void;
  /** Calls back when another tab changes the token; returns an unsubscribe function. */
  subscribe(onChange: (token: string | null) => void): () => void;
}

export function localStorageRefreshTokenStore(
  storage: Storage = window.localStorage,
  events: Pick<Window, "addEventListener" | "removeEventListener"> = window,
): RefreshTokenStore {
  return {
    read() {
      try {
        return storage.getItem(REFRESH_TOKEN_KEY);
      } catch {
        return null; // storage disabled: the session lasts until reload
      }
    },
    write(token) {
      try {
        storage.setItem(REFRESH_TOKEN_KEY, token);
      } catch {
        // storage full or disabled: keep going without persistence
      }
    },
    clear() {
      try {
        storage.removeItem(REFRESH_TOKEN_KEY);
      } catch {
        // nothing stored then
      }
    },
    subscribe(onChange) {
      const listener = (event: StorageEvent) => {
        if (event.key === REFRESH_TOKEN_KEY || event.key === null) onChange(event.newValue);
      };
      events.addEventListener("storage", listener);
      return () => events.removeEventListener("storage", listener);
    },
  };
}

/** A store that forgets everything on reload (tests, or no localStorage). */
export function memoryRefreshTokenStore(initial: string | null = null): RefreshTokenStore {
  let token = initial;
  return {
    read: () => token,
    write: (value) => {
      token = value;
    },
    clear: () => {
      token = null;
    },
    subscribe: () => () => {},
  };
}
