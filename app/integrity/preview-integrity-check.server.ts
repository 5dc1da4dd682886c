import { INTEGRITY_CHECKS } from "./checks";
import { PREVIEW_EXAMPLES, outcomeWords, type IntegrityPreview } from "./integrity-preview";
import { runIntegrityCheck, type IntegrityReport } from "./run-integrity-check.server";

// The integrity check of one shop, as a report for people: a dry run by default (WOULD_FIX findings record what a
// real run would change; nothing else is written), or the real run. Null when the shop has no connection.

export async function previewIntegrityCheck(options: {
  shop: string;
  dryRun?: boolean;
  now?: Date;
}): Promise<IntegrityPreview | null> {
  const report = await runIntegrityCheck({ shop: options.shop, dryRun: options.dryRun ?? true, now: options.now });
  if (report.skipped) return null;
  return toPreview(report);
}

export function toPreview(report: IntegrityReport): IntegrityPreview {
  const description = new Map(INTEGRITY_CHECKS.map((check) => [check.name, check.description]));
  const checks = report.checks.map((result) => ({
    check: result.check,
    action: result.action,
    description: description.get(result.check) ?? "",
    found: result.found,
    outcome: outcomeWords(result.action, report.dryRun, result.found),
    examples: result.listing.slice(0, PREVIEW_EXAMPLES).map(({ id, message }) => ({ id, message })),
  }));
  const sum = (flags: boolean) =>
    checks.filter((c) => (c.action === "flag") === flags).reduce((n, c) => n + c.found, 0);
  return {
    runId: report.runId,
    shop: report.shop,
    dryRun: report.dryRun,
    wouldRepair: sum(false),
    wouldFlag: sum(true),
    checks,
  };
}
