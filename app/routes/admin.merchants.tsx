import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireAdmin } from "~/admin-auth/guards.server";
import { getCatalogHealth } from "~/analytics/catalog-health.server";
import { MerchantsPage } from "~/components/admin/MerchantsPage";

// Every merchant with connection, approval and catalog health; actions are on each merchant's page.

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  return json({ merchants: await getCatalogHealth() });
}

export default function MerchantsRoute() {
  const { merchants } = useLoaderData<typeof loader>();
  return <MerchantsPage merchants={merchants} />;
}
