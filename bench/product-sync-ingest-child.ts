// Child process of bench/product-sync.bench.ts: ingests one bulk export from its URL (streamed over HTTP) into
// DATABASE_URL, alone in its process so the peak memory measured is the ingest's and not the emulator's.
// Prints one JSON line: { summary, seconds, peakRssMb }.
import { disconnectDatabase } from "../app/db.server";
import { ingestBulkExport } from "../app/sync/bulk-export-ingest.server";
import { fetchResultFile } from "../app/sync/finish-product-export.server";

const [url, shop] = process.argv.slice(2);
if (!url || !shop) {
  console.error("usage: product-sync-ingest-child.ts <url> <shop>");
  process.exit(2);
}

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

const started = performance.now();
const summary = await ingestBulkExport({ shop, source: await fetchResultFile(url), complete: true });
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
await disconnectDatabase();
console.log(
  JSON.stringify({
    summary: { ...summary, malformedLines: summary.malformedLines.slice(0, 3) },
    seconds,
    peakRssMb: peakRss / 1024 / 1024,
  }),
);
