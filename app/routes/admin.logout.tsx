import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { closeAdminSession } from "~/admin-auth/admin-session.server";
import { requireAdminForm } from "~/admin-auth/guards.server";
import { ADMIN_LOGIN } from "~/admin-auth/safe-redirect";

// Sign-out is a POST with the CSRF token (a GET would let any page sign an admin out with an <img>). It deletes the
// session on the server, so the cookie stops working even where a copy of it was kept.
export async function action({ request }: ActionFunctionArgs) {
  await requireAdminForm(request);
  return redirect(ADMIN_LOGIN, { headers: { "Set-Cookie": await closeAdminSession(request) } });
}

export const loader = () => redirect(ADMIN_LOGIN);
