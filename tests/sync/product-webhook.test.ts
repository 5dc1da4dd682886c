import { Logger, runTaskListOnce } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import { releaseWorkerUtils } from "../../app/jobs/queue.server";
import { TASK } from "../../app/jobs/task-names";
import { productWebhook } from "../../app/worker/tasks/product-webhook.server";
import { applyProductWebhook } from "../../app/sync/apply-product-webhook.server";
import { enqueueProductWebhook } from "../../app/sync/enqueue-product-webhook.server";
import { acceptWebhookDelivery } from "../../app/webhooks/accept-delivery.server";
import type { RunningEmulator } from "../../emulator/index";
import { createTestShop, startTestEmulator } from "../support/emulator";
import { createConnection } from "../support/merchants";

// products/* webhooks, job side: dedupe by webhook id, and ordering by Shopify's updated_at.

const SHOP = "hooks.myshopify.com";
let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
  await createConnection(SHOP);
});
afterAll(async () => {
  await releaseWorkerUtils();
  await emulator.stop();
});

function productPayload(id: number, updatedAt: string, fields: Record<string, unknown> = {}) {
  return {
    id,
    title: `Title at ${updatedAt}`,
    handle: `p-${id}`,
    vendor: "Acme",
    product_type: "Apparel",
    status: "active",
    tags: "summer, sale ,",
    updated_at: updatedAt,
    variants: [
      {
        id: id * 10,
        title: "Default",
        sku: "S1",
        price: "10.00",
        compare_at_price: null,
        inventory_item_id: id * 100,
        inventory_quantity: 4,
        updated_at: updatedAt,
      },
    ],
    ...fields,
  };
}

const productRow = (id: number) => prisma.product.findUnique({ where: { shop_id: { shop: SHOP, id: BigInt(id) } } });

describe("product webhooks", () => {
  it("a delivery id is accepted once", async () => {
    const delivery = {
      webhookId: "wh-1",
      shop: SHOP,
      topic: "products/update",
      eventId: "ev-1",
      triggeredAt: "2026-11-01T00:00:00Z",
    };
    let processed = 0;
    const process = async () => void (processed += 1);
    expect(await acceptWebhookDelivery(delivery, process)).toBe(true);
    expect(await acceptWebhookDelivery(delivery, process)).toBe(false);
    expect(processed).toBe(1);
  });

  it("applies create/update with tags and variants; an older or repeated update never overwrites a newer row", async () => {
    await applyProductWebhook({
      shop: SHOP,
      topic: "products/create",
      payload: productPayload(1, "2026-11-01T10:00:00-05:00"),
    });
    expect(await productRow(1)).toMatchObject({
      title: "Title at 2026-11-01T10:00:00-05:00",
      tags: ["summer", "sale"],
      status: "ACTIVE",
      listed: false,
    });

    const newer = await applyProductWebhook({
      shop: SHOP,
      topic: "products/update",
      payload: productPayload(1, "2026-11-01T12:00:00-05:00", { title: "newest" }),
    });
    expect(newer).toMatchObject({ applied: true, variantsWritten: 1 });
    const late = await applyProductWebhook({
      shop: SHOP,
      topic: "products/update",
      payload: productPayload(1, "2026-11-01T11:00:00-05:00", { title: "late" }),
    });
    expect(late).toMatchObject({ applied: false, reason: "stale" });
    const replay = await applyProductWebhook({
      shop: SHOP,
      topic: "products/update",
      payload: productPayload(1, "2026-11-01T12:00:00-05:00", { title: "newest" }),
    });
    expect(replay.applied).toBe(false);
    expect((await productRow(1))?.title).toBe("newest");
  });

  it("two updates within one second: the webhook Shopify emitted later wins, whichever arrives first", async () => {
    const second = "2026-11-02T10:00:00-05:00";
    const first = { triggeredAt: "2026-11-02T15:00:00.100000123Z", title: "first edit" };
    const later = { triggeredAt: "2026-11-02T15:00:00.900000456Z", title: "second edit" };
    const deliver = (id: number, edit: { triggeredAt: string | null; title: string }) =>
      applyProductWebhook({
        shop: SHOP,
        topic: "products/update",
        payload: productPayload(id, second, { title: edit.title }),
        triggeredAt: edit.triggeredAt,
      });

    // In order: the second edit replaces the first.
    expect(await deliver(5, first)).toMatchObject({ applied: true });
    expect(await deliver(5, later)).toMatchObject({ applied: true });
    expect((await productRow(5))?.title).toBe("second edit");
    // Out of order: the first edit, arriving last, is stale.
    expect(await deliver(6, later)).toMatchObject({ applied: true });
    expect(await deliver(6, first)).toMatchObject({ applied: false, reason: "stale" });
    expect((await productRow(6))?.title).toBe("second edit");
    // A replay, a tie without the header or with garbage in it: nothing to tell them apart by, nothing changes.
    expect(await deliver(6, later)).toMatchObject({ applied: false });
    expect(await deliver(6, { triggeredAt: null, title: "no header" })).toMatchObject({ applied: false });
    expect(await deliver(6, { triggeredAt: "yesterday", title: "garbage header" })).toMatchObject({ applied: false });
    // A row the bulk export wrote (no webhook time): a tie does not overwrite it.
    await pgPool().query(
      "UPDATE product SET webhook_triggered_at = NULL, title = 'from the export' WHERE shop = $1 AND id = 6",
      [SHOP],
    );
    expect(await deliver(6, { triggeredAt: "2026-11-02T15:00:01Z", title: "tie after export" })).toMatchObject({
      applied: false,
    });
    expect((await productRow(6))?.title).toBe("from the export");
  });

  it("a deletion soft-deletes the product and its variants; an update emitted before it does not resurrect it", async () => {
    await applyProductWebhook({
      shop: SHOP,
      topic: "products/create",
      payload: productPayload(2, "2026-11-02T10:00:00Z"),
    });
    await applyProductWebhook({
      shop: SHOP,
      topic: "products/delete",
      payload: { id: 2 },
      triggeredAt: "2026-11-02T11:00:00Z",
    });
    expect(await productRow(2)).toMatchObject({ listed: false, deletedAt: new Date("2026-11-02T11:00:00Z") });
    expect(await prisma.productVariant.count({ where: { shop: SHOP, productId: 2n, deletedAt: null } })).toBe(0);

    const lateUpdate = await applyProductWebhook({
      shop: SHOP,
      topic: "products/update",
      payload: productPayload(2, "2026-11-02T10:30:00Z"),
    });
    expect(lateUpdate.applied).toBe(false);
    expect((await productRow(2))?.deletedAt).not.toBeNull();
  });

  it("variants missing from a newer payload are soft-deleted", async () => {
    await applyProductWebhook({
      shop: SHOP,
      topic: "products/create",
      payload: productPayload(3, "2026-11-03T10:00:00Z", {
        variants: [
          { id: 31, price: "1.00", updated_at: "2026-11-03T10:00:00Z" },
          { id: 32, price: "2.00", updated_at: "2026-11-03T10:00:00Z" },
        ],
      }),
    });
    const result = await applyProductWebhook({
      shop: SHOP,
      topic: "products/update",
      payload: productPayload(3, "2026-11-03T11:00:00Z", {
        variants: [{ id: 31, price: "1.50", updated_at: "2026-11-03T11:00:00Z" }],
      }),
    });
    expect(result).toMatchObject({ applied: true, variantsWritten: 1, variantsDeleted: 1 });
    const variants = await prisma.productVariant.findMany({
      where: { shop: SHOP, productId: 3n },
      orderBy: { id: "asc" },
    });
    expect(variants.map((v) => [v.id, v.price?.toString(), v.deletedAt !== null])).toEqual([
      [31n, "1.5", false],
      [32n, "2", true],
    ]);
  });

  it("the product-webhook job applies an emulator-sent payload (out of order deliveries end on the newest state)", async () => {
    createTestShop(emulator, { domain: SHOP });
    const created = emulator.control.createProduct({
      shop: SHOP,
      title: "From Shopify",
      status: "ACTIVE",
      notify: true,
    });
    emulator.control.updateProduct({ shop: SHOP, productId: created.id, title: "Renamed", notify: true });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const deliveries = emulator.control
      .webhookDeliveries({ shop: SHOP })
      .filter((d) => d.topic.startsWith("products/"));
    expect(deliveries.length).toBeGreaterThanOrEqual(2);
    // Deliver newest first, then the older one, then the newest again (a retry).
    for (const delivery of [...deliveries].reverse().concat(deliveries.at(-1)!)) {
      await acceptWebhookDelivery(
        { webhookId: delivery.id, shop: SHOP, topic: delivery.topic, triggeredAt: delivery.triggeredAt },
        async (tx) => {
          await enqueueProductWebhook(
            {
              shop: SHOP,
              topic: delivery.topic as "products/update",
              webhookId: delivery.id,
              triggeredAt: delivery.triggeredAt,
              payload: delivery.payload as Record<string, unknown>,
            },
            tx,
          );
        },
      );
    }
    const client = await pgPool().connect();
    await runTaskListOnce(
      { pgPool: pgPool(), logger: new Logger(() => () => undefined) },
      { [TASK.productWebhook]: productWebhook },
      client,
    ).promise;
    client.release();
    const id = Number(created.legacyResourceId);
    expect((await productRow(id))?.title).toBe("Renamed");
    expect(await prisma.syncEvent.count({ where: { shop: SHOP, eventType: "WEBHOOK" } })).toBe(deliveries.length);
  });
});
