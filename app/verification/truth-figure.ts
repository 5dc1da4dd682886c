import { z } from "zod";

// The shape of a shop's truth figure (app/verification/truth-figure.server.ts computes it) and its shares, shared by
// the server and the pages that show it.

export const TRUTH_WINDOWS_MS = { "24h": 24 * 3_600_000, "7d": 7 * 24 * 3_600_000 } as const;
export type TruthWindow = keyof typeof TRUTH_WINDOWS_MS;

const windowFigure = z.object({ verified: z.number(), checks: z.number(), mismatches: z.number() });
export const truthFigure = z.object({
  listed: z.number(),
  "24h": windowFigure,
  "7d": windowFigure,
});
export type TruthFigure = z.infer<typeof truthFigure>;

/** Shares of a window, for display: verified / listed, mismatches / checks (null: nothing to divide). */
export function truthShares(figure: TruthFigure, window: TruthWindow) {
  const w = figure[window];
  return {
    verifiedShare: figure.listed > 0 ? Math.min(1, w.verified / figure.listed) : null,
    mismatchRate: w.checks > 0 ? w.mismatches / w.checks : null,
  };
}

/** "12 of 40 (30%)". */
export function formatShare(part: number, whole: number): string {
  if (whole <= 0) return `${part} of 0`;
  return `${part} of ${whole} (${formatPercent(part / whole)})`;
}

export function formatPercent(ratio: number): string {
  const percent = ratio * 100;
  return `${percent >= 10 || percent === 0 ? percent.toFixed(0) : percent.toFixed(1)}%`;
}
