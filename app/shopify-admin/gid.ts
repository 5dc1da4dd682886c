// Shopify's global ids (`gid://shopify/<Type>/<id>`) at the edge of the app: the database stores their numeric part
// in BIGINT columns (ADR 002), so every id read from or sent to the Admin API passes through here.

const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d{1,19})(?:\?.*)?$/;
const BIGINT_MAX = 9_223_372_036_854_775_807n;

/** The type and numeric part of a global id; null for anything else, or an id beyond a BIGINT. */
export function parseGid(value: unknown): { type: string; id: string } | null {
  if (typeof value !== "string") return null;
  const match = GID.exec(value);
  if (!match) return null;
  // Up to 18 digits always fits a BIGINT; only a 19-digit id needs the exact comparison.
  if (match[2].length === 19 && BigInt(match[2]) > BIGINT_MAX) return null;
  return { type: match[1], id: match[2] };
}

/** The numeric part of a global id of `type`, for ids Shopify itself sent (anything else is a bug: it throws). */
export function numericIdOf(gid: string, type: string): bigint {
  const parsed = parseGid(gid);
  if (!parsed || parsed.type !== type)
    throw new Error(`Expected a gid://shopify/${type}/<id>, got ${JSON.stringify(gid)}`);
  return BigInt(parsed.id);
}

/** The global id of a stored numeric id, to send to the Admin API. */
export function toGid(type: string, id: bigint | string | number): string {
  return `gid://shopify/${type}/${id}`;
}
