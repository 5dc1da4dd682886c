// `npm run sync:ingest -- --shop <shop-domain> --file <export.jsonl> [--create-shop] [--partial]`
// Replays a saved bulk export through the same ingest as the daily sync, on DATABASE_URL or the embedded database.
// Progress goes to stderr; the last line on stdout is a one-line JSON summary (what was read and written, and the
// shop's live totals afterwards). Exits 1 with a message on a missing file, an unknown shop or bad arguments.
import { parseArgs } from "node:util";
import { ensureDatabase } from "../app/database/database-for-process.server";
import { applyMigrations } from "../app/database/migrations.server";
import { disconnectDatabase } from "../app/db.server";
import { shopDomain } from "../app/jobs/shop-jobs";
import { ExportFileNotFoundError, replayExportFile, UnknownShopError } from "../app/sync/replay-export-file.server";

const USAGE =
  "usage: npm run sync:ingest -- --shop <shop>.myshopify.com --file <export.jsonl> [--create-shop] [--partial]";

function fail(message: string): never {
  console.error(`sync:ingest: ${message}`);
  process.exit(1);
}

let args;
try {
  args = parseArgs({
    options: {
      shop: { type: "string" },
      file: { type: "string" },
      "create-shop": { type: "boolean", default: false },
      partial: { type: "boolean", default: false },
    },
    strict: true,
  }).values;
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`);
}
if (!args.shop || !args.file) fail(`--shop and --file are required\n${USAGE}`);
const shop = shopDomain.safeParse(args.shop);
if (!shop.success) fail(`--shop ${args.shop}: ${shop.error.issues[0].message}`);

const database = await ensureDatabase();
let exitCode = 0;
try {
  await applyMigrations(database.url);
  console.error(`sync:ingest: replaying ${args.file} into ${shop.data}`);
  const summary = await replayExportFile({
    shop: shop.data,
    file: args.file,
    createShop: args["create-shop"],
    partial: args.partial,
  });
  console.log(
    JSON.stringify({
      shop: summary.shop,
      complete: summary.complete,
      createdShop: summary.createdShop,
      linesRead: summary.linesRead,
      productsWritten: summary.productsWritten,
      variantsWritten: summary.variantsWritten,
      productsDeleted: summary.productsDeleted,
      variantsDeleted: summary.variantsDeleted,
      orphanVariants: summary.orphanVariants,
      skippedByType: summary.skippedByType,
      malformedCount: summary.malformedCount,
      malformedLines: summary.malformedLines,
      deletionsSkippedReason: summary.deletionsSkippedReason,
      durationMs: summary.durationMs,
      totals: summary.totals,
    }),
  );
} catch (error) {
  if (error instanceof ExportFileNotFoundError) {
    console.error(`sync:ingest: ${error.message}`);
  } else if (error instanceof UnknownShopError) {
    console.error(
      `sync:ingest: unknown shop ${error.shop} (no merchant connection); pass --create-shop to register it`,
    );
  } else {
    console.error(`sync:ingest: failed: ${(error as Error).stack ?? error}`);
  }
  exitCode = 1;
} finally {
  await disconnectDatabase();
  await database.stop();
}
process.exit(exitCode);
