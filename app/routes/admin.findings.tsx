import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { canAct } from "~/admin-auth/admin-role";
import { requireAdmin, requireOperator } from "~/admin-auth/guards.server";
import { FindingsPage } from "~/components/admin/FindingsPage";
import { findingId, listFindings, parseFindingsQuery } from "~/integrity/list-findings.server";
import { resolveFindingRequest } from "~/integrity/resolve-finding.server";
import { answerRefusals } from "~/lib/domain-error-response.server";
import { done, parseOr400 } from "~/lib/form-input.server";

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
  return answerRefusals(async () => done(await resolveFindingRequest(id, admin.email)));
}

export default function FindingsRoute() {
  const data = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  return <FindingsPage {...data} outcome={outcome} />;
}
