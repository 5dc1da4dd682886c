import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { requireAdminForm } from "~/admin-auth/guards.server";
import { ADMIN_LOGIN } from "~/admin-auth/safe-redirect";
import { endAdminSession } from "~/admin-auth/sign-in.server";

// Sign-out is a POST with the CSRF token (a GET would let any page sign an admin out with an <img>).
export async function action({ request }: ActionFunctionArgs) {
  await requireAdminForm(request, await request.formData());
  return redirect(ADMIN_LOGIN, { headers: { "Set-Cookie": await endAdminSession(request) } });
}

export const loader = () => redirect(ADMIN_LOGIN);
