import { SHOPIFY_API_VERSION } from "./api-version";

// Where the Admin API of a shop lives. Normally Shopify itself; with SHOPIFY_ADMIN_API_BASE set (development,
// tests, the demo) the local emulator, which takes the shop as a path prefix: <base>/shops/<shop>/...
export function adminApiUrl(shop: string, base: string | undefined = process.env.SHOPIFY_ADMIN_API_BASE): string {
  return `${shopOrigin(shop, base)}/admin/api/${SHOPIFY_API_VERSION}/graphql.json`;
}

export function shopOrigin(shop: string, base: string | undefined = process.env.SHOPIFY_ADMIN_API_BASE): string {
  return base ? emulatorShopOrigin(base, shop) : `https://${shop}`;
}

export function emulatorShopOrigin(base: string, shop: string): string {
  return `${base.replace(/\/+$/, "")}/shops/${shop}`;
}
