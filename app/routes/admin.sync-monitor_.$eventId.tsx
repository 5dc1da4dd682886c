import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireAdmin } from "~/admin-auth/guards.server";
import { SyncEventDetailPage } from "~/components/sync-monitor/SyncEventDetailPage";
import { getSyncEvent } from "~/monitoring/get-sync-event.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const event = await getSyncEvent(params.eventId ?? "");
  if (!event)
    throw new Response("No sync event with this id (it may have been pruned by retention).", {
      status: 404,
      statusText: "Not Found",
    });
  return json({ event });
}

export default function SyncEventRoute() {
  const { event } = useLoaderData<typeof loader>();
  return <SyncEventDetailPage event={event} backUrl="/admin/sync-monitor" />;
}
