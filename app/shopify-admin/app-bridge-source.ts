// Where the embedded app's pages load App Bridge from, and which admin may frame them. Shopify's own App Bridge from
// its CDN, framed by Shopify admin, always in production. With SHOPIFY_ADMIN_API_BASE set (development, tests and
// the demo only) there is no Shopify admin to talk to: the emulator serves an admin frame and an App Bridge stand-in
// (emulator/admin-frame.ts, app-bridge-stand-in.ts), so the pages load the stand-in and may be framed by it.

export const SHOPIFY_APP_BRIDGE_URL = "https://cdn.shopify.com/shopifycloud/app-bridge.js";

export function appBridgeUrl(emulatorBase: string | undefined): string {
  return emulatorBase ? `${emulatorBase.replace(/\/+$/, "")}/__app-bridge/app-bridge.js` : SHOPIFY_APP_BRIDGE_URL;
}

/**
 * Adds the emulator's admin frame to the `frame-ancestors` the Shopify library set (Shopify admin and the shop's
 * own domain), so the emulated admin can show the app; nothing changes without the emulator.
 */
export function allowEmulatorAdminToFrame(headers: Headers, emulatorBase: string | undefined): void {
  if (!emulatorBase) return;
  const policy = headers.get("Content-Security-Policy");
  if (!policy || !/frame-ancestors /.test(policy)) return;
  const origin = new URL(emulatorBase).origin;
  headers.set(
    "Content-Security-Policy",
    policy.replace(/frame-ancestors ([^;]*)/, (_, sources: string) => `frame-ancestors ${sources.trim()} ${origin}`),
  );
}
