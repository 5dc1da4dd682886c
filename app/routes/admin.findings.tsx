import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { canAct } from "~/admin-auth/admin-role";
import { requireAdmin, requireOperator } from "~/admin-auth/guards.server";
import { recordAdminAction } from "~/admin-actions/record-admin-action.server";
import { FindingsPage } from "~/components/admin/FindingsPage";
import { findingId, listFindings, parseFindingsQuery } from "~/integrity/list-findings.server";
import { resolveFinding } from "~/integrity/resolve-finding.server";
import { done, parseOr400, refused } from "~/lib/form-input.server";

// Integrity findings by shop and check (filters and page in the URL), flagged first, unresolved by default; resolve
// for operators.

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const { cursor, ...filters } = parseFindingsQuery(new URL(request.url).searchParams);
  return json({ ...(await listFindings({ ...filters, cursor })), query: filters, canAct: canAct(admin.role) });
}

const resolveForm = z.object({ intent: z.literal("resolve"), findingId });

export async function action({ request }: ActionFunctionArgs) {
  const { admin, form: formData } = await requireOperator(request);
  const { findingId: id } = parseOr400(resolveForm, formData);
  const now = new Date();
  const finding = await resolveFinding(id, admin.email, { now });
  if (!finding) return refused(`There is no finding #${id}.`, 404);
  // resolveFinding keeps an earlier resolution: a different time means someone (maybe this admin) resolved it before.
  if (finding.resolvedAt?.getTime() !== now.getTime()) {
    return refused(`Finding #${id} was already resolved by ${finding.resolvedBy ?? "someone"}.`, 409);
  }
  await recordAdminAction({ adminEmail: admin.email, action: "resolve-finding", shop: finding.shop, details: { findingId: id } });
  return done(`Finding #${id} (${finding.check}, ${finding.shop}) resolved.`);
}

export default function FindingsRoute() {
  const data = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  return <FindingsPage {...data} outcome={outcome} />;
}
