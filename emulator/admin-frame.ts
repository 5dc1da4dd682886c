import { randomUUID } from "node:crypto";
import { signSessionToken } from "./session-token";
import type { ShopState } from "./store";

// Shopify admin, emulated for development: the page a merchant sees around an embedded app. Shopify admin opens the
// app in an iframe at the app's URL with `embedded=1`, `shop`, `host` (base64 of the shop's admin address) and an
// `id_token` (a session token, valid one minute), then answers App Bridge's requests for fresh tokens, shows its
// nav menu and toasts (shopify.dev: "About session tokens", "App Bridge", "ui-nav-menu", "Toast API").
//
// GET /__admin/<shop>[?path=/app/products]  the admin frame around the app (the page `npm run demo` prints)
// GET /__admin/<shop>/session-token         a fresh session token for the frame to hand to App Bridge
// GET /__app-bridge/app-bridge.js            the App Bridge stand-in (app-bridge-stand-in.ts), loaded by the app

export const SESSION_TOKEN_TTL_SECONDS = 60; // Shopify's session tokens last one minute

export interface AdminFrameOptions {
  apiKey?: string;
  apiSecret: string;
  appUrl: () => string | undefined;
  nowMs: () => number;
}

export function hostParam(shop: string): string {
  return Buffer.from(`admin.shopify.com/store/${shop.replace(/\.myshopify\.com$/, "")}`).toString("base64url");
}

export function sessionTokenFor(shop: ShopState, options: AdminFrameOptions): string {
  const now = Math.floor(options.nowMs() / 1000);
  return signSessionToken(
    {
      iss: `https://${shop.domain}/admin`,
      dest: `https://${shop.domain}`,
      aud: options.apiKey ?? "",
      sub: "1", // the shop's owner, the one staff member the emulator knows
      exp: now + SESSION_TOKEN_TTL_SECONDS,
      nbf: now - 5,
      iat: now,
      jti: randomUUID(),
      sid: randomUUID(),
    },
    options.apiSecret,
  );
}

/** The URL the frame's iframe opens: the app at `path` with what Shopify admin adds. Null without an app URL. */
export function embeddedAppSrc(shop: ShopState, path: string, options: AdminFrameOptions): string | null {
  const appUrl = options.appUrl();
  if (!appUrl) return null;
  const target = new URL(path.startsWith("/") ? path : `/${path}`, appUrl);
  // Only the app's own origin: the frame never points its iframe elsewhere.
  if (target.origin !== new URL(appUrl).origin) return null;
  target.searchParams.set("embedded", "1");
  target.searchParams.set("shop", shop.domain);
  target.searchParams.set("host", hostParam(shop.domain));
  target.searchParams.set("id_token", sessionTokenFor(shop, options));
  return target.toString();
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function adminFramePage(shop: ShopState, src: string, appOrigin: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(shop.name)} · Shopify admin (emulated)</title>
<style>
  body { margin: 0; font: 14px/1.4 system-ui, sans-serif; display: grid; grid-template: 48px 1fr / 220px 1fr; height: 100vh; background: #f1f1f1; }
  header { grid-column: 1 / 3; background: #1a1a1a; color: #fff; display: flex; align-items: center; padding: 0 16px; gap: 12px; }
  header small { color: #b5b5b5; }
  nav { padding: 12px; border-right: 1px solid #ddd; background: #ebebeb; }
  nav a { display: block; padding: 6px 8px; border-radius: 6px; color: #303030; text-decoration: none; }
  nav a:hover { background: #e0e0e0; }
  nav .app { font-weight: 600; margin-top: 12px; }
  iframe { border: 0; width: 100%; height: 100%; background: #fff; }
  #toasts { position: fixed; bottom: 24px; left: 50%; transform: translateX(-50%); display: grid; gap: 8px; }
  #toasts div { background: #303030; color: #fff; padding: 10px 16px; border-radius: 8px; }
  #toasts div.error { background: #8e1f0b; }
</style></head>
<body>
<header><strong>Shopify admin</strong><small>emulated for development · ${escapeHtml(shop.name)} (${escapeHtml(shop.domain)})</small></header>
<nav data-testid="admin-nav"><a href="#">Home</a><a href="#">Products</a><div id="app-nav"></div></nav>
<main><iframe id="app" name="app-iframe" title="Marketplace Sync" src="${escapeHtml(src)}"></iframe></main>
<div id="toasts" data-testid="admin-toasts"></div>
<script>
  const appOrigin = ${JSON.stringify(appOrigin)};
  const shop = ${JSON.stringify(shop.domain)};
  const frame = document.getElementById("app");
  const reply = (message) => frame.contentWindow.postMessage(message, appOrigin);
  window.addEventListener("message", async (event) => {
    if (event.origin !== appOrigin || event.source !== frame.contentWindow) return;
    const message = event.data || {};
    if (message.type === "emulator:id-token") {
      const response = await fetch("/__admin/" + encodeURIComponent(shop) + "/session-token");
      const { token } = await response.json();
      reply({ type: "emulator:id-token", id: message.id, token });
    } else if (message.type === "emulator:nav-menu") {
      const nav = document.getElementById("app-nav");
      nav.replaceChildren();
      for (const item of message.items) {
        const link = document.createElement("a");
        link.href = "#";
        link.textContent = item.label;
        if (item.rel === "home") link.className = "app";
        link.addEventListener("click", (e) => { e.preventDefault(); reply({ type: "emulator:navigate", href: item.href }); });
        nav.append(link);
      }
    } else if (message.type === "emulator:toast") {
      const toast = document.createElement("div");
      toast.textContent = message.message;
      if (message.isError) toast.className = "error";
      document.getElementById("toasts").append(toast);
      setTimeout(() => toast.remove(), message.duration || 5000);
    }
  });
</script>
</body></html>`;
}
