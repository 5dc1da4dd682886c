import { beforeEach, describe, expect, it } from "vitest";
import type { ApprovalStatus } from "@prisma/client";
import { pgPool, prisma } from "../../app/db.server";
import { fanOutShopJobs } from "../../app/worker/fan-out.server";
import { enqueue } from "../../app/jobs/queue.server";
import { shopJobOptions } from "../../app/jobs/shop-jobs";
import { TASK } from "../../app/jobs/task-names";
import { APPROVAL_TRANSITIONS, changeApproval } from "../../app/merchants/change-approval.server";
import { DomainError } from "../../app/lib/domain-error";
import { isSchedulable } from "../../app/merchants/schedulable";
import { setSyncPaused } from "../../app/merchants/sync-pause.server";
import { queuedJobs } from "../support/jobs";
import { createConnection } from "../support/merchants";

const OPERATOR = "ops@marketplace.example";
const at = new Date("2026-12-01T10:00:00Z");

async function scheduledShops(task: typeof TASK.productSync | typeof TASK.inventorySync = TASK.inventorySync) {
  await pgPool().query("DELETE FROM graphile_worker._private_jobs");
  await fanOutShopJobs({ task, firedAt: at, windowMs: 0 });
  return (await queuedJobs(task)).map((job) => job.payload.shop);
}

beforeEach(async () => {
  await pgPool().query("DELETE FROM graphile_worker._private_jobs");
  await prisma.merchantConnection.deleteMany();
});

describe("changeApproval", () => {
  const ALL: ApprovalStatus[] = ["PENDING", "APPROVED", "REJECTED", "SUSPENDED"];

  it("allows exactly the documented transitions and records who and when", async () => {
    const allowed: string[] = [];
    for (const from of ALL) {
      for (const to of ALL) {
        if (from === to) continue;
        const shop = `${from}-to-${to}.myshopify.com`.toLowerCase();
        await createConnection(shop, { approvalStatus: from });
        try {
          const change = await changeApproval({ shop, to, by: OPERATOR, now: at });
          expect(change).toMatchObject({ from, to, changed: true, changedBy: OPERATOR });
          const row = await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } });
          expect(row).toMatchObject({ approvalStatus: to, approvalChangedBy: OPERATOR, approvalChangedAt: at });
          allowed.push(`${from}->${to}`);
        } catch (error) {
          expect(error).toBeInstanceOf(DomainError);
          expect((error as DomainError).code).toBe("INVALID_APPROVAL_TRANSITION");
          const row = await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } });
          expect(row.approvalStatus).toBe(from);
          expect(row.approvalChangedBy).toBeNull();
        }
      }
    }
    expect(allowed.sort()).toEqual(
      [
        "PENDING->APPROVED",
        "PENDING->REJECTED",
        "APPROVED->SUSPENDED",
        "SUSPENDED->APPROVED",
        "SUSPENDED->REJECTED",
        "REJECTED->APPROVED",
      ].sort(),
    );
    expect(Object.values(APPROVAL_TRANSITIONS).flat()).not.toContain("PENDING");
  });

  it("keeps the earlier decision's who and when when asked for the status the merchant already has", async () => {
    const shop = "same.myshopify.com";
    await createConnection(shop, { approvalStatus: "PENDING" });
    await changeApproval({ shop, to: "APPROVED", by: "first@marketplace.example", now: at });
    const again = await changeApproval({ shop, to: "APPROVED", by: "second@marketplace.example", now: new Date() });
    expect(again).toMatchObject({ changed: false, changedBy: "first@marketplace.example", changedAt: at });
  });

  it("names an unknown shop", async () => {
    await expect(changeApproval({ shop: "nobody.myshopify.com", to: "APPROVED", by: OPERATOR })).rejects.toMatchObject({
      code: "CONNECTION_NOT_FOUND",
    });
  });
});

describe("approval to scheduling", () => {
  it("schedules a merchant once approved, stops when suspended or paused, and again when reinstated or resumed", async () => {
    const shop = "onboarding.myshopify.com";
    await createConnection(shop, { approvalStatus: "PENDING" });
    await createConnection("other.myshopify.com", { approvalStatus: "APPROVED" });
    expect(await scheduledShops()).toEqual(["other.myshopify.com"]);

    await changeApproval({ shop, to: "APPROVED", by: OPERATOR, now: at });
    // Approval imports the products at once instead of waiting for the nightly fan-out.
    expect((await queuedJobs(TASK.productSync)).map((j) => j.payload)).toEqual([{ shop, reason: "manual" }]);
    expect(await scheduledShops()).toEqual(["onboarding.myshopify.com", "other.myshopify.com"]);

    // Suspension takes effect now: the jobs already queued for the shop are dropped, the others' stay.
    await changeApproval({ shop, to: "SUSPENDED", by: OPERATOR, now: at });
    expect((await queuedJobs()).map((j) => j.payload.shop)).toEqual(["other.myshopify.com"]);
    expect(await scheduledShops()).toEqual(["other.myshopify.com"]);

    await changeApproval({ shop, to: "APPROVED", by: OPERATOR, now: at });
    expect(await scheduledShops()).toContain(shop);

    await enqueue(TASK.integrityCheck, { shop, reason: "manual" }, shopJobOptions(TASK.integrityCheck, shop));
    await setSyncPaused({ shop, paused: true, by: OPERATOR });
    expect(await queuedJobs(TASK.integrityCheck)).toEqual([]);
    expect(await scheduledShops()).toEqual(["other.myshopify.com"]);
    // Paused is not a decision about the merchant: still APPROVED, and resuming schedules them again.
    expect((await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).approvalStatus).toBe("APPROVED");
    await setSyncPaused({ shop, paused: false, by: OPERATOR });
    expect(await scheduledShops()).toContain(shop);
  });

  it("records when syncing was paused or resumed, and not again for a repeated request", async () => {
    const shop = "pause-clock.myshopify.com";
    await createConnection(shop);
    const changedAt = async () =>
      (await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).syncPausedChangedAt;
    expect(await changedAt()).toBeNull();
    await setSyncPaused({ shop, paused: true, by: OPERATOR, now: new Date("2026-11-20T08:00:00Z") });
    expect(await changedAt()).toEqual(new Date("2026-11-20T08:00:00Z"));
    await setSyncPaused({ shop, paused: false, by: OPERATOR, now: new Date("2026-11-21T09:00:00Z") });
    await setSyncPaused({ shop, paused: false, by: OPERATOR, now: new Date("2026-11-22T10:00:00Z") });
    expect(await changedAt()).toEqual(new Date("2026-11-21T09:00:00Z"));
    await expect(setSyncPaused({ shop: "nobody.myshopify.com", paused: true, by: OPERATOR })).rejects.toThrow(
      /No merchant connection/,
    );
  });

  it("does not queue an import when the approved merchant is uninstalled or paused", async () => {
    await createConnection("gone.myshopify.com", { approvalStatus: "PENDING", active: false });
    await createConnection("paused.myshopify.com", { approvalStatus: "PENDING", syncPaused: true });
    await changeApproval({ shop: "gone.myshopify.com", to: "APPROVED", by: OPERATOR });
    await changeApproval({ shop: "paused.myshopify.com", to: "APPROVED", by: OPERATOR });
    expect(await queuedJobs()).toEqual([]);
    expect(await scheduledShops(TASK.productSync)).toEqual([]);
  });

  it("isSchedulable agrees with the fan-out for every combination", async () => {
    const combos: Array<{ shop: string; active: boolean; approvalStatus: ApprovalStatus; syncPaused: boolean }> = [];
    for (const active of [true, false])
      for (const approvalStatus of ["PENDING", "APPROVED", "REJECTED", "SUSPENDED"] as const)
        for (const syncPaused of [true, false])
          combos.push({ shop: `c-${combos.length}.myshopify.com`, active, approvalStatus, syncPaused });
    for (const combo of combos) await createConnection(combo.shop, combo);
    const expected = combos
      .filter(isSchedulable)
      .map((c) => c.shop)
      .sort();
    expect(expected).toHaveLength(1);
    expect((await scheduledShops()).sort()).toEqual(expected);
  });
});
