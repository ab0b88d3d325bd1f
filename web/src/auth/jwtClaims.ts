/**
 * Reading (not verifying) the claims of an access token.
 *
 * The app never trusts these for anything the server decides: they only say
 * which tenant and role the token acts with, so the page can show the right
 * controls. The services check the signed token on every call.
 */

/** The JSON payload of a JWT, or undefined if the token is not one. */
export function jwtPayload(token: string): Record<string, unknown> | undefined {
  const payload = token.split(".")[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, "="));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof claims === "object" && claims !== null && !Array.isArray(claims)) {
      return claims as Record<string, unknown>;
    }
  } catch {
    // not a JWT we can read
  }
  return undefined;
}

/** A string claim, or "" when it is missing or not a string. */
export function stringClaim(claims: Record<string, unknown> | undefined, name: string): string {
  const value = claims?.[name];
  return typeof value === "string" ? value : "";
}
