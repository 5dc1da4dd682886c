import { randomUUID } from "node:crypto";
import { signSessionToken } from "../../emulator/session-token";

// Whoever opens the embedded app (a browser in tests, the demo's fetch) must not look like a bot: the Shopify library
// answers 410 to user agents such as "HeadlessChrome" or node's fetch.
export const DESKTOP_CHROME_USER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";

export interface EmbeddedAppUrlOptions {
  appUrl: string;
  shop: string;
  apiKey: string;
  apiSecret: string;
  ttlSeconds: number;
}

/**
 * The URL Shopify admin opens the embedded app at: `embedded=1`, the shop, its admin host, and an App Bridge session
 * token (an HS256 JWT signed with the app's secret) valid for `ttlSeconds`.
 */
export function embeddedAppUrl({ appUrl, shop, apiKey, apiSecret, ttlSeconds }: EmbeddedAppUrlOptions): string {
  const now = Math.floor(Date.now() / 1000);
  const token = signSessionToken(
    {
      iss: `https://${shop}/admin`,
      dest: `https://${shop}`,
      aud: apiKey,
      sub: "1",
      exp: now + ttlSeconds,
      nbf: now - 5,
      iat: now,
      jti: randomUUID(),
      sid: randomUUID(),
    },
    apiSecret,
  );
  const host = Buffer.from(`admin.shopify.com/store/${shop.split(".")[0]}`).toString("base64url");
  return `${appUrl}/app?${new URLSearchParams({ embedded: "1", shop, host, id_token: token })}`;
}
