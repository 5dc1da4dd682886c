import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "~/admin-auth/guards.server";
import { csvFileName, syncEventsCsvStream } from "~/monitoring/export-sync-events-csv.server";
import { parseSyncMonitorQuery } from "~/monitoring/sync-monitor-query";

// The filtered events as a CSV download (the monitor's filters and sort, every page), streamed in keyset batches.
export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const { query } = parseSyncMonitorQuery(new URL(request.url).searchParams);
  return new Response(syncEventsCsvStream({ ...query, cursor: null }), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${csvFileName(query)}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
