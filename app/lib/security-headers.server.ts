// Response headers for the platform admin pages (/admin/*): they are never framed (clickjacking an operator into
// approving a merchant), a response is never sniffed into another type, and no admin URL (filters name shops) leaks
// in a Referer. The embedded merchant pages are left to Shopify's library, whose CSP allows exactly the shop's admin
// to frame them (addDocumentResponseHeaders in entry.server.tsx).

export function isAdminPath(pathname: string): boolean {
  return pathname === "/admin" || pathname.startsWith("/admin/");
}

/**
 * Remix inlines its hydration data and module loader as inline scripts, hence 'unsafe-inline' for scripts;
 * everything else the pages load is their own. In development Vite's client also needs its websocket.
 */
export function adminSecurityHeaders({ production }: { production: boolean }): Record<string, string> {
  const policy = [
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline'",
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
