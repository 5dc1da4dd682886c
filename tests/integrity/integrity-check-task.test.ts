import { afterAll, describe, expect, it } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import { releaseWorkerUtils } from "../../app/jobs/queue.server";
import { integrityCheck } from "../../app/worker/tasks/integrity-check.server";
import { insertProduct, insertVariant } from "./fixtures";
import { createConnection } from "../support/merchants";
import { fakeHelpers } from "../support/jobs";

afterAll(async () => {
  await releaseWorkerUtils();
});

describe("the integrity-check job", () => {
  it("runs every check for the shop of its payload and records the run", async () => {
    const shop = "task-shop.myshopify.com";
    await createConnection(shop);
    await insertProduct(shop, 1, { deletedAt: new Date(), listed: true });
    await insertVariant(shop, 11, 1);
    const helpers = fakeHelpers({ key: "integrity-check:x" });

    await integrityCheck({ shop, reason: "manual" }, helpers);

    expect(helpers.added).toHaveLength(0);
    const { rows } = await pgPool().query(`SELECT listed FROM product WHERE shop = $1 AND id = 1`, [shop]);
    expect(rows[0].listed).toBe(false);
    const events = await prisma.syncEvent.findMany({ where: { shop, eventType: "DATA_INTEGRITY" } });
    expect(events.map((e) => e.status)).toEqual(["SUCCESS"]);
    expect(await prisma.integrityFinding.count({ where: { shop, outcome: "FIXED" } })).toBe(2); // unlisted + orphan
  });

  it("finishes quietly for a shop whose connection is gone", async () => {
    const helpers = fakeHelpers({ key: "integrity-check:x" });
    await integrityCheck({ shop: "uninstalled.myshopify.com" }, helpers);
    expect(helpers.added).toHaveLength(0);
    expect(await prisma.syncEvent.count({ where: { shop: "uninstalled.myshopify.com" } })).toBe(0);
  });

  it("fails at once on a malformed payload", async () => {
    const helpers = fakeHelpers({ key: "integrity-check:x" });
    await expect(integrityCheck({ shop: "not a domain" }, helpers)).rejects.toThrow(/Invalid payload/);
  });
});
