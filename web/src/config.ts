/** Build-time settings, from Vite's `VITE_*` environment variables. */

export const DEFAULT_GATEWAY_URL = "http://127.0.0.1:8080";

/** Where the gRPC-Web gateway listens, without a trailing slash. */
export function gatewayUrlFrom(value: string | undefined): string {
  const url = value?.trim() || DEFAULT_GATEWAY_URL;
  return url.replace(/\/+$/, "");
}

export const gatewayUrl = gatewayUrlFrom(import.meta.env.VITE_GATEWAY_URL);
