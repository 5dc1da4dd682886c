import { redirect } from "@remix-run/node";
import { prisma } from "~/db.server";
import type { AdminRole } from "./admin-role";
import { readAdminSession, sessionAdminId } from "./admin-session.server";
import { credentialStamp } from "./credential-stamp.server";
import { assertCsrfToken } from "./csrf.server";
import { loginUrlFor } from "./safe-redirect";

// The guards every /admin route calls first. They throw responses (Remix returns a thrown Response as is):
// no session -> a redirect to the sign-in page that comes back here; a bad CSRF token or a viewer acting -> 403.
// Only the admin cookie is read: a merchant's Shopify session opens nothing here.

export interface SignedInAdmin {
  id: number;
  email: string;
  role: AdminRole;
  /** Put it in every form that POSTs (AdminCsrfInput does, from the admin layout's loader data). */
  csrfToken: string;
}

/** The signed-in admin, or a thrown redirect to /admin/login?redirectTo=<this page>. */
export async function requireAdmin(request: Request): Promise<SignedInAdmin> {
  const admin = await currentAdmin(request);
  if (!admin) throw redirect(loginUrlFor(request));
  return admin;
}

/** The signed-in admin if there is one (the sign-in page uses it to skip itself). */
export async function currentAdmin(request: Request): Promise<SignedInAdmin | null> {
  const session = await readAdminSession(request);
  const id = sessionAdminId(session);
  if (id === null) return null;
  const user = await prisma.adminUser.findUnique({ where: { id }, select: { id: true, email: true, role: true, passwordHash: true } });
  if (!user || credentialStamp(user.passwordHash) !== session.get("credentialStamp")) return null;
  return { id: user.id, email: user.email, role: user.role, csrfToken: session.get("csrfToken")! };
}

/** For POSTs any signed-in admin may make (signing out): the admin, after checking the form's CSRF token. */
export async function requireAdminForm(request: Request, formData: FormData): Promise<SignedInAdmin> {
  const admin = await requireAdmin(request);
  assertCsrfToken(admin.csrfToken, formData);
  return admin;
}

/** For every action that changes something: a signed-in OPERATOR with a valid CSRF token, else 403. */
export async function requireOperator(request: Request, formData: FormData): Promise<SignedInAdmin> {
  const admin = await requireAdminForm(request, formData);
  if (admin.role !== "OPERATOR") {
    throw new Response("Only operators can do this. Viewers can read every page.", { status: 403, statusText: "Forbidden" });
  }
  return admin;
}
