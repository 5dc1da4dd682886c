import { notifyAdmins } from "~/alerts/notify-admins.server";
import { resolveIncidents } from "~/alerts/resolve.server";
import { TASK } from "~/jobs/task-names";
import { truthShares, type TruthFigure } from "./truth-figure";

// One incident per shop while its 24-hour mismatch rate is above VERIFICATION_MISMATCH_ALERT_RATE: notifyAdmins keeps
// one open alert per (type, shop, job type) and only bumps it on later runs (reminders after the cool-down, as for
// every alert); the first run back under the threshold resolves it.

export const TRUTH_MISMATCH_ALERT = "TRUTH_MISMATCH_RATE";

export async function reportTruthMismatchRate(shop: string, figure: TruthFigure, threshold: number, now: Date) {
  const { mismatchRate } = truthShares(figure, "24h");
  const incident = { type: TRUTH_MISMATCH_ALERT, shop, jobType: TASK.verification };
  if (mismatchRate === null || mismatchRate <= threshold) {
    await resolveIncidents([incident], { now });
    return { alerted: false as const, mismatchRate };
  }
  const { mismatches, checks } = figure["24h"];
  const result = await notifyAdmins(
    {
      ...incident,
      severity: "WARNING",
      title: `${shop}: ${mismatches} of ${checks} variants verified against Shopify in 24 hours differed (${(mismatchRate * 100).toFixed(1)}%, above ${(threshold * 100).toFixed(1)}%)`,
      data: { mismatches, checks, mismatchRate, threshold, listed: figure.listed },
    },
    { now },
  );
  return { alerted: true as const, mismatchRate, outcome: result.outcome };
}
