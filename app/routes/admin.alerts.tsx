import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { canAct } from "~/admin-auth/admin-role";
import { requireAdmin, requireOperator } from "~/admin-auth/guards.server";
import { acknowledgeAlertRequest } from "~/alerts/acknowledge.server";
import { describeChannels } from "~/alerts/channels/configured-channels.server";
import { listAlerts, parseAlertsQuery } from "~/alerts/list-alerts.server";
import { AlertsPage } from "~/components/admin/AlertsPage";
import { answerRefusals } from "~/lib/domain-error-response.server";
import { done, parseOr400 } from "~/lib/form-input.server";

// Alerts by status (the tab and the page are in the URL), the configured channels (masked), and acknowledge for
// operators.

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const query = parseAlertsQuery(new URL(request.url).searchParams);
  const list = await listAlerts(query);
  const channels = describeChannels().map(({ name, configured, target }) => ({ name, configured, target }));
  return json({ ...list, status: query.status, shop: query.shop, channels, canAct: canAct(admin.role) });
}

const acknowledgeForm = z.object({
  intent: z.literal("acknowledge"),
  alertId: z.coerce.number().int().positive().max(2_147_483_647),
});

export async function action({ request }: ActionFunctionArgs) {
  const { admin, form: formData } = await requireOperator(request);
  const { alertId } = parseOr400(acknowledgeForm, formData);
  return answerRefusals(async () => done(await acknowledgeAlertRequest(alertId, admin.email)));
}

export default function AlertsRoute() {
  const data = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  return <AlertsPage {...data} outcome={outcome} />;
}
