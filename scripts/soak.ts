// `npm run soak`: the product under a realistic population, life and faults for a wall time, then one
// reconciliation cycle, and the marketplace's copy compared with Shopify's truth (README.md, "Soak").
// Prints a table and writes the whole report as JSON (with the processes' logs) to .cache/soak/<time>/.
import path from "node:path";
import { parseSoakArgs } from "./lib/soak/options";
import { formatReport } from "./lib/soak/report";
import { temporaryBuild } from "./lib/production-build";
import { runSoak } from "./lib/soak/run-soak";

let args;
try {
  args = parseSoakArgs(process.argv.slice(2));
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const outputDir = args.outputDir ?? path.join(".cache", "soak", new Date().toISOString().replace(/[:.]/g, "-"));
const started = Date.now();
const log = (line: string) => console.log(`[soak ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
// The web process as production runs it: a build made for this run (the dev server answers a webhook burst several
// times slower, past Shopify's 5 s), unless one is given or --dev asks for Vite's dev server.
const built = args.build || args.dev ? undefined : await temporaryBuild("soak", log);
let report;
try {
  report = await runSoak({ ...args, build: args.build ?? built?.directory, outputDir, log });
} finally {
  built?.remove();
}
console.log("");
console.log(formatReport(report));
console.log("");
console.log(`Report: ${path.join(outputDir, "soak-report.json")} (logs of the app and workers beside it)`);
process.exit(Object.values(report.invariants).every(Boolean) ? 0 : 1);
