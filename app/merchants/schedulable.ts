import type { ApprovalStatus } from "@prisma/client";

// The one rule of who gets synced: installed (token valid), approved by the marketplace, and not paused.
// app/jobs/fan-out.server.ts selects on the same three columns; tests/merchants/approval.test.ts holds the two to
// the same answer.
export function isSchedulable(connection: {
  active: boolean;
  approvalStatus: ApprovalStatus;
  syncPaused: boolean;
}): boolean {
  return connection.active && connection.approvalStatus === "APPROVED" && !connection.syncPaused;
}
