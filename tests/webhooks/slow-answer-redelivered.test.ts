import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import { releaseWorkerUtils } from "../../app/jobs/queue.server";
import { TASK } from "../../app/jobs/task-names";
import { productDeliveries } from "../../app/worker/tasks/product-deliveries.server";
import { queuedJobs, runDueJobs } from "../support/jobs";
import { createConnection } from "../support/merchants";
import {
  APP_URL,
  startShopifyAppUnderTest,
  type RouteAction,
  type ShopifyAppUnderTest,
} from "../merchants/support/shopify-app";

// Shopify counts an answer slower than its timeout (5 s) as a failed delivery and sends it again, with the same
// X-Shopify-Webhook-Id: the app has already stored the first one, and must absorb the second. Here the emulator
// posts to the app's real route behind a bare HTTP server that answers the first request only after the emulator
// has hung up (no race with the clock), and Shopify's retry goes out once the app has finished with the first.

const SHOP = "slow-answer.myshopify.com";

let app: ShopifyAppUnderTest;
let productUpdate: RouteAction;
let server: Server;
let firstHandled!: () => void;
const firstDone = new Promise<void>((resolve) => (firstHandled = resolve));
const seen: Array<{ webhookId: string | undefined; status: number }> = [];

beforeAll(async () => {
  app = await startShopifyAppUnderTest({
    webhookDelivery: {
      // Shopify's own 5 s timeout: the first attempt is never answered, so it times out whatever the limit, and the
      // retry has the whole 5 s (at 300 ms a CI run under load timed the retry out too: three attempts, not two).
      // The retry's delay, shortened to "once the app is done with the first attempt".
      wait: () => firstDone,
    },
  });
  productUpdate = (await import("../../app/routes/webhooks.products.update")).action;
  server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", async () => {
      const headers = new Headers();
      for (const [key, value] of Object.entries(incoming.headers))
        if (typeof value === "string") headers.set(key, value);
      const request = new Request(new URL(incoming.url ?? "/", APP_URL), {
        method: "POST",
        headers,
        body: Buffer.concat(chunks),
      });
      const status = await productUpdate({ request, params: {}, context: {} }).then(
        (response) => response.status,
        (thrown: unknown) => (thrown instanceof Response ? thrown.status : 500),
      );
      const first = seen.length === 0;
      seen.push({ webhookId: headers.get("x-shopify-webhook-id") ?? undefined, status });
      if (first) {
        // Too late: the emulator gave up on this answer; it is never sent.
        firstHandled();
        return;
      }
      outgoing.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  app.emulator.control.setAppUrl({ appUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
afterAll(async () => {
  await releaseWorkerUtils();
  await app.stop();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("a webhook answered after Shopify's timeout", () => {
  it("is delivered again with the same webhook id; the app stores it once and applies it once", async () => {
    await createConnection(SHOP, { selectionMode: "ALL" });
    app.emulator.control.createShop({ domain: SHOP });
    app.emulator.control.seedProducts({ shop: SHOP, products: 1, variantsPerProduct: 1, seed: 3 });
    const [product] = app.emulator.control.listProducts({ shop: SHOP });
    const { title } = app.emulator.control.updateProduct({ shop: SHOP, productId: product.id, title: "Slow answer" });

    await app.emulator.control.sendWebhook({ shop: SHOP, topic: "products/update", productId: product.id });
    await app.emulator.control.waitForWebhooks();

    // The emulator's side: the first attempt timed out, the retry was answered 200.
    const [delivery] = app.emulator.control.webhookDeliveries({ shop: SHOP });
    expect(delivery.attemptLog.map((a) => [a.status, a.timedOut])).toEqual([
      [null, true],
      [200, false],
    ]);
    // The app's side: both requests arrived, the same webhook id, both accepted.
    expect(seen).toEqual([
      { webhookId: delivery.id, status: 200 },
      { webhookId: delivery.id, status: 200 },
    ]);

    // One receipt, one job; applied once.
    const receipts = await pgPool().query<{ outcome: string | null }>(
      "SELECT outcome FROM webhook_delivery WHERE webhook_id = $1",
      [delivery.id],
    );
    expect(receipts.rows).toEqual([{ outcome: null }]);
    expect((await queuedJobs(TASK.productDeliveries)).map((j) => j.payload)).toEqual([{ shop: SHOP }]);
    await runDueJobs({ [TASK.productDeliveries]: productDeliveries });

    const stored = await prisma.product.findMany({ where: { shop: SHOP }, select: { id: true, title: true } });
    expect(stored).toEqual([{ id: BigInt(product.legacyResourceId), title }]);
    const outcomes = await pgPool().query<{ outcome: string }>(
      "SELECT outcome FROM webhook_delivery WHERE webhook_id = $1",
      [delivery.id],
    );
    expect(outcomes.rows).toEqual([{ outcome: "applied" }]);
    const events = await prisma.syncEvent.findMany({ where: { shop: SHOP, eventType: "WEBHOOK" } });
    expect(events.map((e) => (e.metadata as { deliveries: number }).deliveries)).toEqual([1]);
  });
});
