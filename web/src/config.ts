/** Build-time settings, from Vite's `VITE_*` environment variables. */

export const DEFAULT_GATEWAY_URL = "http://127.0.0.1:8080";
export const DEFAULT_PAGE_SIZE = 10;
const MAX_PAGE_SIZE = 100;

/** Where the gRPC-Web gateway listens, without a trailing slash. */
export function gatewayUrlFrom(value: string | undefined): string {
  const url = value?.trim() || DEFAULT_GATEWAY_URL;
  return url.replace(/\/+$/, "");
}

/** Songs per page: a whole number from 1 to 100, else the default. */
export function pageSizeFrom(value: string | undefined): number {
  const size = Number(value);
  return Number.isInteger(size) && size >= 1 && size <= MAX_PAGE_SIZE ? size : DEFAULT_PAGE_SIZE;
}

export const gatewayUrl = gatewayUrlFrom(import.meta.env.VITE_GATEWAY_URL);
export const pageSize = pageSizeFrom(import.meta.env.VITE_PAGE_SIZE);
