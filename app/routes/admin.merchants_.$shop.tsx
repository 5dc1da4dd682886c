import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { canAct } from "~/admin-auth/admin-role";
import { requireAdmin, requireOperator } from "~/admin-auth/guards.server";
import { MerchantDetailPage } from "~/components/admin/MerchantDetailPage";
import { useAutoRevalidate } from "~/components/use-auto-revalidate";
import { shopDomain } from "~/jobs/shop-jobs";
import { answerRefusals } from "~/lib/domain-error-response.server";
import { parseOr400 } from "~/lib/form-input.server";
import { loadMerchantAdminDetail } from "~/merchants/merchant-admin-detail.server";
import {
  applyMerchantAdminRequest,
  availableMerchantIntents,
  merchantAdminRequest,
} from "~/merchants/merchant-admin-request.server";
import { listJobs } from "~/worker/job-inspection.server";

// One merchant: connection, health, recent syncs, queued jobs, who did what; operators approve, suspend, reject,
// pause, resume, run a sync now, and preview the integrity check (a dry run) before running it for real.

function shopParam(shop: string | undefined): string {
  const parsed = shopDomain.safeParse(shop);
  if (!parsed.success)
    throw new Response(`"${shop ?? ""}" is not a shop domain (example.myshopify.com).`, { status: 404 });
  return parsed.data;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const shop = shopParam(params.shop);
  const [detail, jobs] = await Promise.all([loadMerchantAdminDetail(shop), listJobs({ shop })]);
  if (!detail) throw new Response(`No merchant ${shop}.`, { status: 404, statusText: "Not Found" });
  return json({
    ...detail,
    jobs: jobs.jobs,
    intents: availableMerchantIntents(detail.health),
    canAct: canAct(admin.role),
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { admin, form: formData } = await requireOperator(request);
  const shop = shopParam(params.shop);
  const { intent } = parseOr400(merchantAdminRequest, formData);
  // A preview also carries the dry run's report, shown under the outcome.
  return answerRefusals(async () => json(await applyMerchantAdminRequest({ shop, intent, by: admin.email })));
}

export default function MerchantDetailRoute() {
  const data = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  // A running product sync moves on its own: reload its progress every few seconds, otherwise every 30 s.
  useAutoRevalidate(data.productSync.inProgress.length > 0 ? 5_000 : 30_000);
  return <MerchantDetailPage {...data} outcome={outcome} />;
}
