import type { ApprovalStatus } from "@prisma/client";
import { prisma } from "~/db.server";
import { DomainError } from "~/lib/domain-error";
import { isSchedulable } from "./schedulable";
import { cancelPendingShopJobs, requestProductSync } from "./shop-job-control.server";
import { logger } from "~/lib/logger.server";

// The marketplace's decision about a merchant, made by platform operators (the admin pages call this).
//
//   PENDING   -> APPROVED | REJECTED   the application is decided
//   APPROVED  -> SUSPENDED             stop syncing an approved merchant (a breach, unpaid fees), reversibly
//   SUSPENDED -> APPROVED | REJECTED   reinstated, or let go for good
//   REJECTED  -> APPROVED              an operator reconsiders (there is no way back to PENDING: a decision was made)
//
// Not allowed: APPROVED -> REJECTED (suspend first, so a listed merchant is never dropped by one click) and anything
// -> PENDING. Asking for the status a merchant already has changes nothing and keeps the earlier who/when.
export const APPROVAL_TRANSITIONS: Readonly<Record<ApprovalStatus, readonly ApprovalStatus[]>> = {
  PENDING: ["APPROVED", "REJECTED"],
  APPROVED: ["SUSPENDED"],
  SUSPENDED: ["APPROVED", "REJECTED"],
  REJECTED: ["APPROVED"],
};

export function canChangeApproval(from: ApprovalStatus, to: ApprovalStatus): boolean {
  return APPROVAL_TRANSITIONS[from].includes(to);
}

export interface ChangeApprovalInput {
  shop: string;
  to: ApprovalStatus;
  /** Who decided: the operator's email (or "system:<what>" for automated changes). */
  by: string;
  now?: Date;
}

export interface ApprovalChange {
  shop: string;
  from: ApprovalStatus;
  to: ApprovalStatus;
  changed: boolean;
  changedAt: Date | null;
  changedBy: string | null;
}

export async function changeApproval({ shop, to, by, now = new Date() }: ChangeApprovalInput): Promise<ApprovalChange> {
  const current = await prisma.merchantConnection.findUnique({ where: { shop } });
  if (!current) throw new DomainError("CONNECTION_NOT_FOUND", `No merchant connection for ${shop}`, { shop });
  const from = current.approvalStatus;
  if (from === to) {
    return {
      shop,
      from,
      to,
      changed: false,
      changedAt: current.approvalChangedAt,
      changedBy: current.approvalChangedBy,
    };
  }
  if (!canChangeApproval(from, to)) {
    throw new DomainError(
      "INVALID_APPROVAL_TRANSITION",
      `${shop} is ${from}; it cannot become ${to} (allowed: ${APPROVAL_TRANSITIONS[from].join(", ") || "none"})`,
      { shop, from, to },
    );
  }
  // Conditional on the status read above: two operators deciding at once cannot both win.
  const { count } = await prisma.merchantConnection.updateMany({
    where: { shop, approvalStatus: from },
    data: { approvalStatus: to, approvalChangedAt: now, approvalChangedBy: by },
  });
  if (count === 0) {
    throw new DomainError("CONCURRENT_CHANGE", `The approval of ${shop} changed meanwhile; reload and try again`, {
      shop,
    });
  }

  const after = { ...current, approvalStatus: to };
  if (to === "APPROVED" && isSchedulable(after)) {
    // Don't make a newly approved merchant wait for tonight's fan-out: import their products now.
    await requestProductSync(shop);
  } else if (from === "APPROVED") {
    await cancelPendingShopJobs(shop);
  }
  logger.info({ scope: "merchants", shop, from, to, by }, `approval of ${shop}: ${from} -> ${to} by ${by}`);
  return { shop, from, to, changed: true, changedAt: now, changedBy: by };
}
