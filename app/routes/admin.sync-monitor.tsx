import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import polarisVizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { requireAdmin } from "~/admin-auth/guards.server";
import { SyncMonitorPage } from "~/components/sync-monitor/SyncMonitorPage";
import { useAutoRevalidate } from "~/components/use-auto-revalidate";
import { loadSyncMonitor } from "~/monitoring/load-sync-monitor.server";

// The platform admins' sync monitor: filters, sort and page in the URL, evaluated in SQL (app/monitoring/).

const REFRESH_SECONDS = 30;
// While a product sync runs, its progress is worth watching more closely.
const REFRESH_SECONDS_WHILE_SYNCING = 5;

export const links = () => [{ rel: "stylesheet", href: polarisVizStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  return json(await loadSyncMonitor(new URL(request.url).searchParams));
}

export default function SyncMonitorRoute() {
  const data = useLoaderData<typeof loader>();
  const refreshSeconds = data.syncsRunning.length > 0 ? REFRESH_SECONDS_WHILE_SYNCING : REFRESH_SECONDS;
  const refreshing = useAutoRevalidate(refreshSeconds * 1000);
  return <SyncMonitorPage {...data} refreshing={refreshing} refreshSeconds={refreshSeconds} />;
}
