import { redirect } from "@remix-run/node";
import { BODY_LIMITS, readFormWithin } from "~/lib/request-body.server";
import { adminOfSession, type SessionAdmin } from "./admin-session.server";
import { assertCsrfToken } from "./csrf.server";
import { loginUrlFor } from "./safe-redirect";

// The guards every /admin route calls first. They throw responses (Remix returns a thrown Response as is):
// no session -> a redirect to the sign-in page that comes back here; a viewer acting or a bad CSRF token -> 403.
// Only the admin cookie is read: a merchant's Shopify session opens nothing here. The form guards authenticate
// before they read the body, and read at most BODY_LIMITS.adminForm of it.

/** The signed-in admin: `csrfToken` goes in every form that POSTs (AdminCsrfInput takes it from the layout). */
export type SignedInAdmin = SessionAdmin;

export interface SignedInForm {
  admin: SignedInAdmin;
  form: FormData;
}

/** The signed-in admin, or a thrown redirect to /admin/login?redirectTo=<this page>. */
export async function requireAdmin(request: Request): Promise<SignedInAdmin> {
  const admin = await currentAdmin(request);
  if (!admin) throw redirect(loginUrlFor(request));
  return admin;
}

/** The signed-in admin if there is one (the sign-in page uses it to skip itself). */
export function currentAdmin(request: Request): Promise<SignedInAdmin | null> {
  return adminOfSession(request);
}

/** For POSTs any signed-in admin may make (signing out, ending a session): the admin and the CSRF-checked form. */
export async function requireAdminForm(request: Request): Promise<SignedInForm> {
  const admin = await requireAdmin(request);
  return { admin, form: await checkedForm(request, admin) };
}

/** For every action that changes something: a signed-in OPERATOR (else 403, before the body is read) and the form. */
export async function requireOperator(request: Request): Promise<SignedInForm> {
  const admin = await requireAdmin(request);
  if (admin.role !== "OPERATOR") {
    throw new Response("Only operators can do this. Viewers can read every page.", {
      status: 403,
      statusText: "Forbidden",
    });
  }
  return { admin, form: await checkedForm(request, admin) };
}

async function checkedForm(request: Request, admin: SignedInAdmin): Promise<FormData> {
  const form = await readFormWithin(request, BODY_LIMITS.adminForm);
  assertCsrfToken(admin.csrfToken, form);
  return form;
}
