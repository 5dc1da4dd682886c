import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { closeAdminSession, endAdminSessionById, listAdminSessions } from "~/admin-auth/admin-session.server";
import { requireAdmin, requireAdminForm } from "~/admin-auth/guards.server";
import { ADMIN_LOGIN } from "~/admin-auth/safe-redirect";
import { SessionsPage } from "~/components/admin/SessionsPage";
import { answerRefusals } from "~/lib/domain-error-response.server";
import { done, parseOr400 } from "~/lib/form-input.server";

// The signed-in admin's active sessions, and ending one (a lost laptop, a shared computer). Any role: it is their own.

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const sessions = await listAdminSessions(admin.id);
  return json({
    email: admin.email,
    currentSessionId: admin.sessionId,
    sessions: sessions.map((session) => ({ ...session, id: session.id.toString() })),
  });
}

const endForm = z.object({ intent: z.literal("end"), sessionId: z.string().regex(/^\d{1,18}$/) });

export async function action({ request }: ActionFunctionArgs) {
  const { admin, form } = await requireAdminForm(request);
  const { sessionId } = parseOr400(endForm, form);
  if (sessionId === admin.sessionId) {
    return redirect(ADMIN_LOGIN, { headers: { "Set-Cookie": await closeAdminSession(request) } });
  }
  return answerRefusals(async () => {
    await endAdminSessionById(admin.id, BigInt(sessionId));
    return done(`Session #${sessionId} ended: that browser is signed out.`);
  });
}

export default function SessionsRoute() {
  const data = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  return <SessionsPage {...data} outcome={outcome} />;
}
