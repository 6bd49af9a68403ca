// A cheap local pre-check of a bearer token before any TokenReview: a JWT whose (unverified)
// `aud` claim does not name the intake's audience cannot pass the review, so it is refused
// without asking the API server, with a message that says how to mint the right token.
// Tokens that are not JWTs go to the TokenReview as they are; the verdict is always the API
// server's, this only spares it obviously wrong tokens.

/** Returns why the token cannot be for `audience`, or undefined when it may be. */
export function audienceMismatch(token: string, audience: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof claims !== 'object' || claims === null) return undefined;
  const aud = (claims as { aud?: unknown }).aud;
  const list =
    typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a) => typeof a === 'string') : [];
  if (list.length === 0 || list.includes(audience)) return undefined;
  return `token is for audience ${JSON.stringify(list.slice(0, 3))}, not "${audience}": mint it with that audience (a projected serviceAccountToken with audience: ${audience})`;
}
