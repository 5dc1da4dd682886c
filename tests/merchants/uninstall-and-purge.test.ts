import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCronItems } from "graphile-worker";
import { pgPool, prisma } from "../../app/db.server";
import { SCHEDULES } from "../../app/worker/schedules.server";
import { enqueue } from "../../app/jobs/queue.server";
import { TASK } from "../../app/jobs/task-names";
import { taskList } from "../../app/worker/task-list.server";
import { changeApproval } from "../../app/merchants/change-approval.server";
import { selectProducts } from "../../app/merchants/change-selection.server";
import { purgeUninstalledShops } from "../../app/merchants/purge-uninstalled-shops.server";
import { queuedJobs, runDueJobs } from "../support/jobs";
import {
  embeddedRequest,
  startShopifyAppUnderTest,
  webhookRequest,
  type ShopifyAppUnderTest,
} from "./support/shopify-app";
// Type-only: the modules themselves are imported in beforeAll, after the emulator is set up.
import type * as AppRoute from "../../app/routes/app";
import type * as UninstalledRoute from "../../app/routes/webhooks.app.uninstalled";

const DAY = 24 * 60 * 60 * 1000;

let app: ShopifyAppUnderTest;
let appLoader: typeof AppRoute.loader;
let uninstalledAction: typeof UninstalledRoute.action;

beforeAll(async () => {
  app = await startShopifyAppUnderTest();
  ({ loader: appLoader } = await import("../../app/routes/app"));
  ({ action: uninstalledAction } = await import("../../app/routes/webhooks.app.uninstalled"));
});
afterAll(() => app.stop());

async function install(shop: string) {
  await appLoader({ request: embeddedRequest(shop, "/app"), params: {}, context: {} });
}

/** Shopify's side of an uninstall: the token is revoked, then app/uninstalled is sent. */
async function uninstall(shop: string) {
  app.emulator.control.revokeTokens({ shop });
  const request = webhookRequest(shop, "app/uninstalled", "/webhooks/app/uninstalled", { domain: shop });
  return uninstalledAction({ request, params: {}, context: {} });
}

async function addCatalogue(shop: string, productIds: number[]) {
  for (const id of productIds) {
    await pgPool().query(
      `INSERT INTO product (shop, id, title, status, shopify_updated_at) VALUES ($1, $2, $3, 'ACTIVE', now())`,
      [shop, id, `Product ${id}`],
    );
    await pgPool().query(`INSERT INTO product_variant (shop, id, product_id, price) VALUES ($1, $2, $3, '10.00')`, [
      shop,
      id * 10,
      id,
    ]);
  }
}

async function catalogueSize(shop: string) {
  const { rows } = await pgPool().query<{ products: number; variants: number; selected: number }>(
    `SELECT (SELECT count(*)::int FROM product WHERE shop = $1) AS products,
            (SELECT count(*)::int FROM product_variant WHERE shop = $1) AS variants,
            (SELECT count(*)::int FROM product WHERE shop = $1 AND selected) AS selected`,
    [shop],
  );
  return rows[0];
}

describe("uninstall", () => {
  it("deactivates at once, drops queued jobs, cancels unfinished exports and sets the purge date", async () => {
    const shop = "leaving.myshopify.com";
    app.emulator.control.createShop({ domain: shop });
    await install(shop);
    await changeApproval({ shop, to: "APPROVED", by: "ops@marketplace.example" });
    expect(await queuedJobs(TASK.productSync)).toHaveLength(1);
    await pgPool().query(
      `INSERT INTO bulk_operation (id, shop, status) VALUES (1, $1, 'RUNNING'), (2, $1, 'COMPLETED'), (3, 'someone-else.myshopify.com', 'RUNNING')`,
      [shop],
    );

    const before = Date.now();
    const response = await uninstall(shop);
    expect(response.status).toBe(200);

    const connection = await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } });
    expect(connection.active).toBe(false);
    expect(connection.uninstalledAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    // UNINSTALL_GRACE_DAYS defaults to 30.
    expect(connection.purgeAfter!.getTime() - connection.uninstalledAt!.getTime()).toBe(30 * DAY);
    expect(await prisma.session.count({ where: { shop } })).toBe(0);
    expect(await queuedJobs()).toEqual([]);
    const operations = await prisma.bulkOperation.findMany({ orderBy: { id: "asc" } });
    expect(operations.map((o) => [o.id, o.status])).toEqual([
      [1n, "CANCELED"],
      [2n, "COMPLETED"],
      [3n, "RUNNING"],
    ]);

    // Delivered twice (Shopify delivers at least once): the first uninstall's times stay.
    await uninstall(shop);
    expect(await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).toMatchObject({
      uninstalledAt: connection.uninstalledAt,
      purgeAfter: connection.purgeAfter,
    });
  });

  it("answers 401 to a forged app/uninstalled and leaves the shop installed", async () => {
    const shop = "forged-uninstall.myshopify.com";
    app.emulator.control.createShop({ domain: shop });
    await install(shop);
    const request = webhookRequest(
      shop,
      "app/uninstalled",
      "/webhooks/app/uninstalled",
      { domain: shop },
      "not-the-secret",
    );
    const outcome = await uninstalledAction({ request, params: {}, context: {} }).catch((thrown: unknown) => thrown);
    expect((outcome as Response).status).toBe(401);
    expect((await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).active).toBe(true);
  });
});

describe("reinstall within the grace period", () => {
  it("finds the connection, approval, selection and catalogue as they were, and syncs again at once", async () => {
    const shop = "returning.myshopify.com";
    app.emulator.control.createShop({ domain: shop });
    await install(shop);
    const first = await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } });
    await changeApproval({ shop, to: "APPROVED", by: "ops@marketplace.example" });
    await addCatalogue(shop, [1, 2, 3]);
    await selectProducts({ shop, productIds: [1n, 3n], selected: true });
    await uninstall(shop);
    await pgPool().query("DELETE FROM graphile_worker._private_jobs");

    await install(shop);
    const again = await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } });
    expect(again).toMatchObject({
      id: first.id,
      merchantId: first.merchantId,
      createdAt: first.createdAt,
      active: true,
      approvalStatus: "APPROVED",
      approvalChangedBy: "ops@marketplace.example",
      uninstalledAt: null,
      purgeAfter: null,
      defaultLocationId: first.defaultLocationId,
    });
    expect(again.installedAt.getTime()).toBeGreaterThan(first.installedAt.getTime());
    expect(await catalogueSize(shop)).toEqual({ products: 3, variants: 3, selected: 2 });
    expect((await queuedJobs(TASK.productSync)).map((j) => j.payload.shop)).toEqual([shop]);

    // The purge no longer applies, however late it runs.
    const purged = await purgeUninstalledShops({ now: new Date(Date.now() + 365 * DAY) });
    expect(purged.map((p) => p.shop)).not.toContain(shop);
    expect((await catalogueSize(shop)).products).toBe(3);
  });

  it("ignores a retried app/uninstalled triggered before the current installation", async () => {
    const shop = "uninstall-retried.myshopify.com";
    app.emulator.control.createShop({ domain: shop });
    await install(shop);
    const uninstalledAt = new Date().toISOString(); // after the first install, before the reinstall
    app.emulator.control.revokeTokens({ shop });
    const first = webhookRequest(shop, "app/uninstalled", "/webhooks/app/uninstalled", { domain: shop }, undefined, {
      "X-Shopify-Triggered-At": uninstalledAt,
    });
    await uninstalledAction({ request: first, params: {}, context: {} });
    expect((await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).active).toBe(false);
    await install(shop);

    // Shopify retries the old delivery (up to 4 hours later), with its original X-Shopify-Triggered-At.
    const retry = webhookRequest(shop, "app/uninstalled", "/webhooks/app/uninstalled", { domain: shop }, undefined, {
      "X-Shopify-Triggered-At": uninstalledAt,
    });
    const response = await uninstalledAction({ request: retry, params: {}, context: {} });
    expect(response.status).toBe(200);
    const connection = await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } });
    expect(connection).toMatchObject({ active: true, uninstalledAt: null });
    expect(await prisma.session.count({ where: { shop } })).toBeGreaterThan(0);

    // An uninstall triggered after the reinstall still deactivates.
    await uninstall(shop);
    expect((await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).active).toBe(false);
  });

  it("turns a REJECTED merchant who reinstalls into a new PENDING application", async () => {
    const shop = "second-chance.myshopify.com";
    app.emulator.control.createShop({ domain: shop });
    await install(shop);
    await changeApproval({ shop, to: "REJECTED", by: "ops@marketplace.example" });
    await uninstall(shop);
    await install(shop);
    expect(await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).toMatchObject({
      approvalStatus: "PENDING",
      approvalChangedBy: "system:reinstall",
    });
  });
});

describe("purge after the grace period", () => {
  it("deletes the catalogue of shops past their purge date only, from the daily job", async () => {
    const gone = "gone-for-good.myshopify.com";
    const recent = "just-left.myshopify.com";
    for (const shop of [gone, recent]) {
      app.emulator.control.createShop({ domain: shop });
      await install(shop);
      await addCatalogue(shop, [101, 102]);
      await uninstall(shop);
    }
    // `gone` left 31 days ago, `recent` today.
    await prisma.merchantConnection.update({
      where: { shop: gone },
      data: { uninstalledAt: new Date(Date.now() - 31 * DAY), purgeAfter: new Date(Date.now() - DAY) },
    });

    await enqueue(TASK.purgeUninstalledShops, { _cron: { ts: new Date().toISOString(), backfilled: false } });
    // Only the purge: the product syncs queued by earlier approvals would start real exports in the emulator.
    await runDueJobs({ [TASK.purgeUninstalledShops]: taskList[TASK.purgeUninstalledShops] });
    expect(await queuedJobs(TASK.purgeUninstalledShops)).toEqual([]); // ran and succeeded

    expect(await catalogueSize(gone)).toEqual({ products: 0, variants: 0, selected: 0 });
    expect(await catalogueSize(recent)).toEqual({ products: 2, variants: 2, selected: 0 });
    const purged = await prisma.merchantConnection.findUniqueOrThrow({ where: { shop: gone } });
    expect(purged).toMatchObject({ active: false, purgeAfter: null });

    // The recent one goes once its own date passes.
    const result = await purgeUninstalledShops({ now: new Date(Date.now() + 31 * DAY) });
    expect(result.find((p) => p.shop === recent)).toEqual({ shop: recent, products: 2, variants: 2 });
    expect(await catalogueSize(recent)).toEqual({ products: 0, variants: 0, selected: 0 });
  });

  it("is scheduled daily with a stable identifier", () => {
    const [item] = parseCronItems(SCHEDULES).filter((i) => i.task === TASK.purgeUninstalledShops);
    expect(item.identifier).toBe("purge-uninstalled-shops");
    expect(item.match({ min: 30, hour: 4, date: 1, month: 1, dow: 2 })).toBe(true);
    expect(item.match({ min: 30, hour: 5, date: 1, month: 1, dow: 2 })).toBe(false);
  });
});
