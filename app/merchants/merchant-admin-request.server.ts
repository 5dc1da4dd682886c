import type { ApprovalStatus } from "@prisma/client";
import { z } from "zod";
import { recordAdminAction } from "~/admin-actions/record-admin-action.server";
import { prisma } from "~/db.server";
import type { IntegrityPreview } from "~/integrity/integrity-preview";
import { previewIntegrityCheck } from "~/integrity/preview-integrity-check.server";
import { enqueue } from "~/jobs/queue.server";
import { shopJobOptions } from "~/jobs/shop-jobs";
import { SYNC_KIND_INTENTS, syncKindOfIntent } from "~/jobs/sync-kinds";
import { DomainError } from "~/lib/domain-error";
import { canChangeApproval, changeApproval } from "./change-approval.server";
import { setSyncPaused } from "./sync-pause.server";

// What an operator can do to one merchant from the admin pages, carried out and recorded with who did it.

export const MERCHANT_ADMIN_INTENTS = [
  "approve",
  "suspend",
  "reject",
  "pause",
  "resume",
  ...SYNC_KIND_INTENTS, // run a sync kind now (app/jobs/sync-kinds.ts)
  "preview-integrity",
] as const;
export type MerchantAdminIntent = (typeof MERCHANT_ADMIN_INTENTS)[number];

export const merchantAdminRequest = z.object({ intent: z.enum(MERCHANT_ADMIN_INTENTS) });

const APPROVAL_OF: Partial<Record<MerchantAdminIntent, ApprovalStatus>> = {
  approve: "APPROVED",
  suspend: "SUSPENDED",
  reject: "REJECTED",
};

export type MerchantAdminResult = { ok: true; message: string; preview?: IntegrityPreview };

interface Applied {
  message: string;
  /** The dry run's report (preview-integrity). */
  preview?: IntegrityPreview;
}

/** Carries out the operator's request and records it; a refusal is a DomainError that says why. */
export async function applyMerchantAdminRequest({
  shop,
  intent,
  by,
}: {
  shop: string;
  intent: MerchantAdminIntent;
  by: string;
}): Promise<MerchantAdminResult> {
  const { message, preview } = await apply(shop, intent, by);
  const details = preview && { runId: preview.runId, wouldRepair: preview.wouldRepair, wouldFlag: preview.wouldFlag };
  await recordAdminAction({ adminEmail: by, action: intent, shop, details });
  return { ok: true, message, ...(preview ? { preview } : {}) };
}

async function apply(shop: string, intent: MerchantAdminIntent, by: string): Promise<Applied> {
  const approval = APPROVAL_OF[intent];
  if (approval) {
    const change = await changeApproval({ shop, to: approval, by });
    return { message: change.changed ? `${shop} is now ${change.to}.` : `${shop} was already ${change.to}.` };
  }
  if (intent === "pause" || intent === "resume") {
    await setSyncPaused({ shop, paused: intent === "pause", by });
    return {
      message:
        intent === "pause" ? `Syncing of ${shop} paused; its queued jobs were dropped.` : `Syncing of ${shop} resumed.`,
    };
  }
  if (intent === "preview-integrity") {
    // The data only: no Shopify call, so it works for a disconnected shop too (what its listing would look like).
    const preview = await previewIntegrityCheck({ shop });
    if (!preview) throw new DomainError("CONNECTION_NOT_FOUND", `No merchant connection for ${shop}`, { shop });
    return {
      message: `Integrity check preview of ${shop}: ${preview.wouldRepair} to repair, ${preview.wouldFlag} to flag. Nothing was changed.`,
      preview,
    };
  }
  const task = syncKindOfIntent(intent)!.task;
  const connection = await prisma.merchantConnection.findUnique({ where: { shop }, select: { active: true } });
  if (!connection) throw new DomainError("CONNECTION_NOT_FOUND", `No merchant connection for ${shop}`, { shop });
  if (!connection.active) {
    // Nothing to sync with: the app is uninstalled (or its token revoked), so the job could only fail.
    throw new DomainError(
      "SHOP_DISCONNECTED",
      `${shop} is disconnected (the app is uninstalled): there is nothing to sync with.`,
      { shop },
    );
  }
  // An operator may run a sync even while the merchant is paused or pending (e.g. to investigate): it is one run.
  await enqueue(task, { shop, reason: "manual", requestedBy: by }, shopJobOptions(task, shop));
  return { message: `${task} for ${shop} queued to run now.` };
}

/** The requests that make sense for a merchant in this state (the page offers only these; the server checks anyway). */
export function availableMerchantIntents(merchant: {
  approvalStatus: ApprovalStatus;
  syncPaused: boolean;
  active: boolean;
}): MerchantAdminIntent[] {
  return MERCHANT_ADMIN_INTENTS.filter((intent) => {
    const approval = APPROVAL_OF[intent];
    if (approval) return canChangeApproval(merchant.approvalStatus, approval);
    if (intent === "pause") return !merchant.syncPaused;
    if (intent === "resume") return merchant.syncPaused;
    if (intent === "preview-integrity") return true;
    return merchant.active;
  });
}
