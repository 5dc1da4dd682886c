import type { CheckName, IntegrityCheck } from "./check";

// What a dry run of the integrity check found, for people: per check, what a real run would repair or flag, with a
// few examples. Shared by the admin merchant page ("Preview integrity check") and `npm run integrity`.

export interface IntegrityPreviewCheck {
  check: CheckName;
  action: IntegrityCheck["action"];
  description: string;
  found: number;
  /** What the run did (a real run) or would do (a dry run), in words: "would repair", "flagged"... */
  outcome: string;
  examples: { id: string; message: string }[];
}

export interface IntegrityPreview {
  runId: string;
  shop: string;
  dryRun: boolean;
  /** Entities a real run would change (repairs, and products a follow-up sync would fetch again). */
  wouldRepair: number;
  /** Entities a real run would flag for a person (already flagged ones included). */
  wouldFlag: number;
  checks: IntegrityPreviewCheck[];
}

export const PREVIEW_EXAMPLES = 5;

export function outcomeWords(action: IntegrityCheck["action"], dryRun: boolean, found: number): string {
  if (found === 0) return "nothing found";
  if (action === "flag") return dryRun ? "would flag" : "flagged";
  if (action === "product-sync") return dryRun ? "would sync again" : "sync queued";
  return dryRun ? "would repair" : "repaired";
}

/** The table `npm run integrity` prints: one row per check, padded columns. */
export function formatIntegrityTable(preview: IntegrityPreview): string {
  const header = ["check", "action", "found", "outcome", "examples"];
  const rows = preview.checks.map((c) => [
    c.check,
    c.action,
    String(c.found),
    c.outcome,
    c.examples.map((e) => `${e.id}: ${e.message}`).join("; "),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === 4 ? 0 : r[i].length))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 4 ? cell : cell.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w, i) => "-".repeat(i === 4 ? 8 : w))), ...rows.map(line)].join("\n");
}
