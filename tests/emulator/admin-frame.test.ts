import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { verifySessionToken } from "../../emulator/session-token";
import {
  SHOPIFY_APP_BRIDGE_URL,
  allowEmulatorAdminToFrame,
  appBridgeUrl,
} from "../../app/shopify-admin/app-bridge-source";

// The emulated Shopify admin frame and the App Bridge stand-in, over HTTP; and the app's choice of App Bridge.

const SECRET = "frame-test-secret";
const KEY = "frame-test-key";
const SHOP = "frame-shop.myshopify.com";
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ apiSecret: SECRET, apiKey: KEY, appUrl: "http://127.0.0.1:3999" });
  emulator.control.createShop({ domain: SHOP });
});
afterAll(() => emulator.stop());

describe("admin frame", () => {
  it("opens the app in an iframe at the app URL with embedded, shop, host and a fresh session token", async () => {
    const response = await fetch(emulator.adminUrl(SHOP, "/app/products"));
    expect(response.status).toBe(200);
    const html = await response.text();
    const src = new URL(/<iframe[^>]* src="([^"]+)"/.exec(html)![1].replace(/&amp;/g, "&"));
    expect(`${src.origin}${src.pathname}`).toBe("http://127.0.0.1:3999/app/products");
    expect(src.searchParams.get("embedded")).toBe("1");
    expect(src.searchParams.get("shop")).toBe(SHOP);
    expect(Buffer.from(src.searchParams.get("host")!, "base64url").toString()).toBe(
      "admin.shopify.com/store/frame-shop",
    );
    const verified = verifySessionToken(src.searchParams.get("id_token")!, SECRET, Date.now());
    expect(verified).toMatchObject({
      ok: true,
      claims: { aud: KEY, dest: `https://${SHOP}`, iss: `https://${SHOP}/admin` },
    });
    if (verified.ok) expect(verified.claims.exp - verified.claims.iat).toBe(60);
  });

  it("hands out fresh session tokens, refuses unknown shops and paths that leave the app", async () => {
    const { token } = await (await fetch(`${emulator.url}/__admin/${SHOP}/session-token`)).json();
    expect(verifySessionToken(token, SECRET, Date.now()).ok).toBe(true);
    expect((await fetch(emulator.adminUrl("nobody.myshopify.com"))).status).toBe(404);
    expect(
      (await fetch(`${emulator.url}/__admin/${SHOP}?path=${encodeURIComponent("//evil.example/app")}`)).status,
    ).toBe(409);
  });

  it("serves the App Bridge stand-in as JavaScript", async () => {
    const response = await fetch(`${emulator.url}/__app-bridge/app-bridge.js`);
    expect(response.headers.get("content-type")).toMatch(/^text\/javascript/);
    const script = await response.text();
    expect(script).toContain("window.shopify = {");
    expect(() => new Function(script)).not.toThrow(); // parses
  });
});

describe("the app's App Bridge", () => {
  it("is Shopify's, framed by Shopify admin only, unless the Admin API goes to the emulator", () => {
    expect(appBridgeUrl(undefined)).toBe(SHOPIFY_APP_BRIDGE_URL);
    expect(appBridgeUrl("http://127.0.0.1:4010/")).toBe("http://127.0.0.1:4010/__app-bridge/app-bridge.js");
    const policy = "frame-ancestors https://a.myshopify.com https://admin.shopify.com;";
    const production = new Headers({ "Content-Security-Policy": policy });
    allowEmulatorAdminToFrame(production, undefined);
    expect(production.get("Content-Security-Policy")).toBe(policy);
    const development = new Headers({ "Content-Security-Policy": policy });
    allowEmulatorAdminToFrame(development, "http://127.0.0.1:4010");
    expect(development.get("Content-Security-Policy")).toBe(
      "frame-ancestors https://a.myshopify.com https://admin.shopify.com http://127.0.0.1:4010;",
    );
  });
});
