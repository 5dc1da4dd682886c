import { randomUUID } from "node:crypto";
import type { ApprovalStatus } from "@prisma/client";
import { withTransaction } from "~/db.server";
import type { AdminClient } from "~/shopify-admin/admin-client.server";
import { numericIdOf } from "~/shopify-admin/gid";
import { PRIMARY_LOCATION_QUERY, SHOP_QUERY } from "~/shopify-admin/operations";
import { isSchedulable } from "./schedulable";
import { requestProductSync } from "./shop-job-control.server";
import { logger } from "~/lib/logger.server";

// What an install (or a reinstall) does to the merchant's connection. Called from the afterAuth hook, which runs
// whenever the app obtains a new offline token for a shop: the first install, a reinstall (uninstalling deletes
// the sessions), or a lost session. So it must be idempotent.
//
// Reinstall rules (the connection row, its products and its selection are kept through an uninstall until purged):
// - installed_at becomes the new install's time (created_at keeps the first one); uninstalled_at and purge_after
//   are cleared, so the grace-period purge no longer applies.
// - APPROVED, PENDING and SUSPENDED stay as they were: a merchant approved before is scheduled again at once, and
//   a suspension is not escaped by reinstalling.
// - REJECTED becomes PENDING, recorded as changed by "system:reinstall": installing again is a new application,
//   and operators see it in their queue (REJECTED -> PENDING is otherwise not a transition operators can make).

export const REINSTALL_ACTOR = "system:reinstall";

export type InstallKind = "installed" | "reinstalled" | "reauthorized";

export interface InstallOutcome {
  shop: string;
  kind: InstallKind;
  approvalStatus: ApprovalStatus;
  defaultLocationId: bigint | null;
  productSyncRequested: boolean;
}

interface ShopDetails {
  shopName: string | null;
  plan: string | null;
  defaultLocationId: bigint | null;
}

type InstallAdmin = Pick<AdminClient, "request">;

export async function recordInstall({
  shop,
  admin,
  now = new Date(),
}: {
  shop: string;
  admin: InstallAdmin;
  now?: Date;
}): Promise<InstallOutcome> {
  const details = await readShopDetails(shop, admin);

  const outcome = await withTransaction(async (client) => {
    // Whoever inserts first creates the connection; a concurrent second install finds it and updates it.
    const created = await client.query(
      `INSERT INTO merchant_connection (shop, merchant_id, shop_name, plan, default_location_id, active, approval_status,
                                        installed_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, true, 'PENDING', $6, $6, $6)
       ON CONFLICT (shop) DO NOTHING`,
      [
        shop,
        randomUUID(),
        details?.shopName ?? null,
        details?.plan ?? null,
        details?.defaultLocationId?.toString() ?? null,
        now,
      ],
    );
    if (created.rowCount === 1) {
      return { kind: "installed" as const, approvalStatus: "PENDING" as ApprovalStatus, syncPaused: false };
    }

    const { rows } = await client.query<{ active: boolean; approval_status: ApprovalStatus; sync_paused: boolean }>(
      "SELECT active, approval_status, sync_paused FROM merchant_connection WHERE shop = $1 FOR UPDATE",
      [shop],
    );
    const before = rows[0];
    const kind: InstallKind = before.active ? "reauthorized" : "reinstalled";
    const reapplies = kind === "reinstalled" && before.approval_status === "REJECTED";
    const approvalStatus: ApprovalStatus = reapplies ? "PENDING" : before.approval_status;
    await client.query(
      `UPDATE merchant_connection SET
          active = true,
          installed_at = CASE WHEN $2 THEN $3 ELSE installed_at END,
          uninstalled_at = NULL,
          purge_after = NULL,
          approval_status = $4::"ApprovalStatus",
          approval_changed_at = CASE WHEN $5 THEN $3 ELSE approval_changed_at END,
          approval_changed_by = CASE WHEN $5 THEN $6 ELSE approval_changed_by END,
          shop_name = COALESCE($7, shop_name),
          plan = COALESCE($8, plan),
          default_location_id = COALESCE($9, default_location_id),
          updated_at = $3
        WHERE shop = $1`,
      [
        shop,
        kind === "reinstalled",
        now,
        approvalStatus,
        reapplies,
        REINSTALL_ACTOR,
        details?.shopName ?? null,
        details?.plan ?? null,
        details?.defaultLocationId?.toString() ?? null,
      ],
    );
    return { kind, approvalStatus, syncPaused: before.sync_paused };
  });

  // A returning approved merchant is synced again now rather than at tonight's fan-out: their data may be stale.
  const productSyncRequested =
    outcome.kind === "reinstalled" &&
    isSchedulable({ active: true, approvalStatus: outcome.approvalStatus, syncPaused: outcome.syncPaused });
  if (productSyncRequested) await requestProductSync(shop);

  logger.info(
    { scope: "merchants", shop, outcome: outcome.kind, approvalStatus: outcome.approvalStatus },
    `${shop} ${outcome.kind} (${outcome.approvalStatus})`,
  );
  return {
    shop,
    kind: outcome.kind,
    approvalStatus: outcome.approvalStatus,
    defaultLocationId: details?.defaultLocationId ?? null,
    productSyncRequested,
  };
}

/**
 * The shop's name, plan and primary location (the default location for inventory). The offline session is stored
 * before afterAuth runs and afterAuth is not retried, so a failure here must not lose the install: it is logged,
 * the connection is still created, and the fields are filled on the next authorization.
 */
async function readShopDetails(shop: string, admin: InstallAdmin): Promise<ShopDetails | null> {
  try {
    const [{ shop: info }, { location }] = await Promise.all([
      admin.request(SHOP_QUERY, {}),
      admin.request(PRIMARY_LOCATION_QUERY, {}),
    ]);
    return {
      shopName: info.name,
      plan: info.plan.publicDisplayName,
      defaultLocationId: location ? numericIdOf(location.id, "Location") : null,
    };
  } catch (error) {
    logger.error({ scope: "merchants", shop, err: error }, `could not read the shop details of ${shop} at install`);
    return null;
  }
}
