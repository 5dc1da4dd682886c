// A child process for tests/sync/ingest-atomicity.test.ts: one bulk export ingested into DATABASE_URL, alone in its
// process, so the test can SIGKILL a real ingest in the middle of a merge. Prints the summary as one JSON line.
import { createReadStream } from "node:fs";
import { disconnectDatabase } from "../../../app/db.server";
import { ingestBulkExport } from "../../../app/sync/bulk-export-ingest.server";

const [shop, file, batchSize] = process.argv.slice(2);
const summary = await ingestBulkExport({
  shop,
  source: createReadStream(file),
  complete: true,
  productBatchSize: Number(batchSize),
});
await disconnectDatabase();
console.log(JSON.stringify(summary));
