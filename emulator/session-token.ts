import { createHmac, timingSafeEqual } from "node:crypto";

// App Bridge session tokens: HS256 JWTs signed with the app's secret (the same scheme Shopify uses).

export interface SessionTokenClaims {
  iss: string;
  dest: string;
  aud: string;
  sub: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  sid: string;
}

const base64url = (input: string | Buffer) => Buffer.from(input).toString("base64url");

export function signSessionToken(claims: SessionTokenClaims, secret: string): string {
  const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = base64url(JSON.stringify(claims));
  const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

export function verifySessionToken(
  token: string,
  secret: string,
  nowMs: number,
): { ok: true; claims: SessionTokenClaims } | { ok: false; reason: string } {
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, reason: "not a JWT" };
  const [header, payload, signature] = parts;
  const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: "bad signature" };
  let claims: SessionTokenClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as SessionTokenClaims;
  } catch {
    return { ok: false, reason: "unreadable payload" };
  }
  const now = Math.floor(nowMs / 1000);
  // Shopify allows a few seconds of clock skew.
  if (typeof claims.exp !== "number" || claims.exp + 5 < now) return { ok: false, reason: "expired" };
  if (typeof claims.nbf === "number" && claims.nbf - 5 > now) return { ok: false, reason: "not yet valid" };
  return { ok: true, claims };
}
