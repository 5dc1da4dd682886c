// Where to go after signing in: only a path inside the admin area, never another site ("//evil.example",
// "/\\evil.example" and absolute URLs are refused) and never back to the sign-in page itself.

export const ADMIN_HOME = "/admin/sync-monitor";
export const ADMIN_LOGIN = "/admin/login";

export function safeAdminRedirect(target: unknown): string {
  if (typeof target !== "string" || target.length > 2000) return ADMIN_HOME;
  if (!/^\/admin(?:[/?#]|$)/.test(target) || target.includes("\\") || target.startsWith("//")) return ADMIN_HOME;
  if (target === ADMIN_LOGIN || target.startsWith(`${ADMIN_LOGIN}?`) || target.startsWith(`${ADMIN_LOGIN}/`))
    return ADMIN_HOME;
  return target;
}

export function loginUrlFor(request: Request): string {
  const url = new URL(request.url);
  const params = new URLSearchParams({ redirectTo: safeAdminRedirect(`${url.pathname}${url.search}`) });
  return `${ADMIN_LOGIN}?${params}`;
}
