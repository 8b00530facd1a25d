/** Host of an Origin header; undefined for a malformed one (refused like any foreign origin, not a 500). */
function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/**
 * Whether a request's Origin header names another site than the Host it was sent to. No Origin (curl, the
 * hub's own same-origin GETs) is not cross-origin; the opaque origin 'null' always is.
 */
export function isCrossOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (!origin) return false;
  return origin === 'null' || originHost(origin) !== host;
}
