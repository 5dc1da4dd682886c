// `npm run integrity -- --shop <shop> [--dry-run]`: the integrity check of one shop, now, from the command line, on
// DATABASE_URL or the embedded database. --dry-run changes nothing (what the admin page's "Preview integrity check"
// shows); without it the check repairs, flags and alerts as the weekly run does. Prints a table of the checks.
// Exits 1 with a message on bad arguments or an unknown shop.
import { parseArgs } from "node:util";
import { formatIntegrityTable } from "../app/integrity/integrity-preview";
import { previewIntegrityCheck } from "../app/integrity/preview-integrity-check.server";
import { releaseWorkerUtils } from "../app/jobs/queue.server";
import { shopDomain } from "../app/jobs/shop-jobs";
import { prepareDatabase, requireValidEnvironment } from "./lib/lifecycle";
import { disconnectDatabase } from "../app/db.server";

const USAGE = "usage: npm run integrity -- --shop <shop>.myshopify.com [--dry-run]";

function fail(message: string): never {
  console.error(`integrity: ${message}`);
  process.exit(1);
}

let args;
try {
  args = parseArgs({
    options: { shop: { type: "string" }, "dry-run": { type: "boolean", default: false } },
    strict: true,
  }).values;
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`);
}
if (!args.shop) fail(`--shop is required\n${USAGE}`);
const shop = shopDomain.safeParse(args.shop);
if (!shop.success) fail(`--shop ${args.shop}: ${shop.error.issues[0].message}`);
const dryRun = args["dry-run"];

requireValidEnvironment();
const database = await prepareDatabase();
let exitCode = 0;
try {
  const preview = await previewIntegrityCheck({ shop: shop.data, dryRun });
  if (!preview) {
    console.error(`integrity: no merchant connection for ${shop.data}`);
    exitCode = 1;
  } else {
    console.log(
      `Integrity check of ${shop.data}${dryRun ? " (dry run: nothing was changed)" : ""}, run ${preview.runId}`,
    );
    console.log("");
    console.log(formatIntegrityTable(preview));
    console.log("");
    console.log(
      dryRun
        ? `A real run would repair ${preview.wouldRepair} and flag ${preview.wouldFlag}.`
        : `Repaired ${preview.wouldRepair} and flagged ${preview.wouldFlag} (findings on /admin/findings).`,
    );
  }
} finally {
  await releaseWorkerUtils();
  await disconnectDatabase();
  await database.stop();
}
process.exit(exitCode);
