import { csvLine } from "./csv";
import { listSyncEvents } from "./list-sync-events.server";
import type { SyncMonitorQuery } from "./sync-monitor-query";

// The filtered events as CSV, streamed: batches of EXPORT_BATCH rows read by the same keyset as the table (each
// batch one index range read, whatever the depth), each written out before the next is read, so an export of a
// million events holds one batch in memory and the first bytes leave at once.

const EXPORT_BATCH = 2000;
const HEADER = [
  "id",
  "created_at",
  "shop",
  "event_type",
  "status",
  "item_count",
  "processing_time_ms",
  "error_message",
];

export function syncEventsCsvStream(
  query: SyncMonitorQuery,
  options: { batchSize?: number } = {},
): ReadableStream<Uint8Array> {
  const batchSize = options.batchSize ?? EXPORT_BATCH;
  const encoder = new TextEncoder();
  let cursor: SyncMonitorQuery["cursor"] = null;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(csvLine(HEADER)));
      }
      // The export starts from the first row whatever page the monitor shows.
      const page = await listSyncEvents({ ...query, cursor, pageSize: batchSize }, { fullErrorMessages: true });
      const lines = page.events.map((e) =>
        csvLine([e.id, e.createdAt, e.shop, e.eventType, e.status, e.itemCount, e.processingTimeMs, e.errorMessage]),
      );
      if (lines.length > 0) controller.enqueue(encoder.encode(lines.join("")));
      if (!page.next) controller.close();
      else cursor = page.next;
    },
  });
}

export function csvFileName(query: SyncMonitorQuery): string {
  const parts = [
    "sync-events",
    query.shop?.replace(".myshopify.com", ""),
    query.eventType,
    query.status,
    query.fromDay,
    query.toDay,
  ];
  return `${parts.filter(Boolean).join("_").toLowerCase()}.csv`;
}
