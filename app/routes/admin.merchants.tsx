import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireAdmin } from "~/admin-auth/guards.server";
import { MerchantsPage } from "~/components/admin/MerchantsPage";
import { listMerchants, merchantsQuery } from "~/merchants/list-merchants.server";

// Merchants with connection, approval and catalog health, a page at a time, searchable and by approval status;
// actions are on each merchant's page.

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const query = merchantsQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  const list = await listMerchants(query);
  return json({ ...list, query: { q: query.q, approval: query.approval } });
}

export default function MerchantsRoute() {
  const data = useLoaderData<typeof loader>();
  return <MerchantsPage {...data} />;
}
