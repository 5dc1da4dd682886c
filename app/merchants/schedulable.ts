import type { ApprovalStatus } from "@prisma/client";

// The one rule of who gets synced: installed (token valid), approved by the marketplace, and not paused.
// app/worker/fan-out.server.ts selects on the same three columns (through Prisma), SQL statements use schedulableSql; tests/merchants/approval.test.ts holds the two to
// the same answer.
export function isSchedulable(connection: {
  active: boolean;
  approvalStatus: ApprovalStatus;
  syncPaused: boolean;
}): boolean {
  return connection.active && connection.approvalStatus === "APPROVED" && !connection.syncPaused;
}

/**
 * The same rule as an SQL predicate on a merchant_connection row aliased `connection` (default `m`), for the
 * statements that select schedulable shops themselves (the staleness watch, manual syncs). Never restate it.
 */
export function schedulableSql(connection = "m"): string {
  return `(${connection}.active AND ${connection}.approval_status = 'APPROVED' AND NOT ${connection}.sync_paused)`;
}
