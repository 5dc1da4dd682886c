import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { MerchantHomePage } from "~/components/merchant-home/MerchantHomePage";
import { useAutoRevalidate } from "~/components/use-auto-revalidate";
import { answerRefusals } from "~/lib/domain-error-response.server";
import { parseOr400 } from "~/lib/form-input.server";
import { requestManualProductSync } from "~/merchants/manual-sync.server";
import { loadMerchantHome } from "~/merchants/merchant-home.server";
import { authenticate } from "~/shopify.server";
import { BODY_LIMITS, readFormWithin } from "~/lib/request-body.server";

// The merchant's first page: how their shop stands with the marketplace, what needs them, and "sync now". The shop
// ALWAYS comes from the verified session, never from the URL or the form: no parameter can show another shop.

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return json(await loadMerchantHome(session.shop));
}

const syncNowForm = z.object({ intent: z.literal("sync-now") });

export async function action({ request }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  parseOr400(syncNowForm, await readFormWithin(request, BODY_LIMITS.appForm));
  return answerRefusals(async () => json({ ok: true as const, message: await requestManualProductSync(session.shop) }));
}

export default function MerchantHome() {
  const data = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  // A running product sync moves on its own: reload its progress every few seconds, otherwise every minute.
  useAutoRevalidate(data.productSync.inProgress.length > 0 ? 5_000 : 60_000);
  return <MerchantHomePage data={data} outcome={outcome} />;
}
