import { randomBytes } from "node:crypto";

// Response headers for the platform admin pages (/admin/*): they are never framed (clickjacking an operator into
// approving a merchant), a response is never sniffed into another type, and no admin URL (filters name shops) leaks
// in a Referer. The embedded merchant pages are left to Shopify's library, whose CSP allows exactly the shop's admin
// to frame them (addDocumentResponseHeaders in entry.server.tsx).

export function isAdminPath(pathname: string): boolean {
  return pathname === "/admin" || pathname.startsWith("/admin/");
}

declare module "@remix-run/node" {
  interface AppLoadContext {
    /** The nonce the response's CSP allows inline scripts by (admin pages in production), for entry.server.tsx. */
    scriptNonce?: string;
  }
}

/** A fresh nonce for one response's inline scripts (app/lib/script-nonce.tsx). */
export function newScriptNonce(): string {
  return randomBytes(16).toString("base64");
}

/**
 * Remix inlines its hydration data and module loader as scripts: in production only those carrying the response's
 * nonce run. In development Vite's client and React Refresh add inline scripts of their own that carry none, so
 * there (no nonce given) inline scripts are allowed, and Vite's client needs its websocket.
 */
export function adminSecurityHeaders({
  production,
  scriptNonce,
}: {
  production: boolean;
  scriptNonce?: string;
}): Record<string, string> {
  const policy = [
    "default-src 'self'",
    scriptNonce ? `script-src 'self' 'nonce-${scriptNonce}'` : "script-src 'self' 'unsafe-inline'",
    "style-src 'self' 'unsafe-inline' https://cdn.shopify.com",
    "font-src 'self' data: https://cdn.shopify.com",
    "img-src 'self' data:",
    production ? "connect-src 'self'" : "connect-src 'self' ws: wss:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  return {
    "Content-Security-Policy": policy,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
  };
}
