/**
 * Runs `task` while holding a lock shared by every tab of this origin (Web
 * Locks API), so two tabs never present the same refresh token: a rotated
 * token presented twice would revoke the whole session. Without the API the
 * task just runs.
 */
export function runExclusive<T>(name: string, task: () => Promise<T>): Promise<T> {
  const locks = typeof navigator === "undefined" ? undefined : navigator.locks;
  return locks ? locks.request(name, task) : task();
}
