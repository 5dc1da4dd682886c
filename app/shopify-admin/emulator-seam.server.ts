import { abstractFetch, setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { emulatorShopOrigin } from "./admin-api-url";

type FetchFunc = typeof abstractFetch;

const SHOP_HOST = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i;

let installedFor: string | null = null;

// Sends the Shopify library's requests for https://<shop>.myshopify.com/... (Admin GraphQL, token exchange) to
// the local emulator at `baseUrl`, keeping the shop in the path. Everything else goes out unchanged. Only called
// when SHOPIFY_ADMIN_API_BASE is set, and after the runtime adapter import that installs the fetch it wraps.
export function installEmulatorSeam(baseUrl: string): void {
  if (installedFor === baseUrl) return;
  if (installedFor !== null) throw new Error(`The emulator seam is already installed for ${installedFor}`);
  installedFor = baseUrl;
  setAbstractFetchFunc(emulatorFetch(baseUrl, abstractFetch));
}

export function emulatorFetch(baseUrl: string, inner: FetchFunc): FetchFunc {
  return (input, init) => {
    const target = rewriteShopifyUrl(baseUrl, requestUrl(input));
    if (target === null) return inner(input, init);
    if (input instanceof Request) return inner(new Request(target, input), init);
    return inner(target, init);
  };
}

export function rewriteShopifyUrl(baseUrl: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "https:" || !SHOP_HOST.test(parsed.hostname)) return null;
  return `${emulatorShopOrigin(baseUrl, parsed.hostname)}${parsed.pathname}${parsed.search}`;
}

function requestUrl(input: Parameters<FetchFunc>[0]): string {
  if (typeof input === "string") return input;
  if (input instanceof URL) return input.toString();
  return input.url;
}
