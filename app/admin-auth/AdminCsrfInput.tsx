import { useRouteLoaderData } from "@remix-run/react";
import { CSRF_FIELD } from "./csrf-field";

/** The admin layout route's id; its loader data carries the signed-in admin with the session's CSRF token. */
export const ADMIN_LAYOUT_ROUTE_ID = "routes/admin";

/**
 * The hidden field every admin form that POSTs must contain. It takes the token from the admin layout's loader
 * data, so pages need not pass it along; `token` overrides it (for forms outside the layout).
 */
export function AdminCsrfInput({ token }: { token?: string }) {
  const layout = useRouteLoaderData(ADMIN_LAYOUT_ROUTE_ID) as { admin?: { csrfToken?: string } | null } | undefined;
  return <input type="hidden" name={CSRF_FIELD} value={token ?? layout?.admin?.csrfToken ?? ""} />;
}
