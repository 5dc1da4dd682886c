import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgPool } from "../../app/db.server";
import { releaseWorkerUtils } from "../../app/jobs/queue.server";
import { TASK } from "../../app/jobs/task-names";
import { BODY_LIMITS } from "../../app/lib/request-body.server";
import { WEBHOOK_MAX_AGE_MS, isStaleDelivery } from "../../app/webhooks/authenticate-webhook.server";
import { responseOf } from "../support/admin";
import { startShopifyAppUnderTest, webhookRequest, type ShopifyAppUnderTest } from "../merchants/support/shopify-app";
import { createConnection } from "../support/merchants";
import { queuedJobs } from "../support/jobs";

// Replayed and oversized webhooks, through the real authenticate.webhook: a captured products/update re-sent with a
// new webhook id (and a valid HMAC, since it is Shopify's own body) is acknowledged and does nothing once it is older
// than Shopify's retry window; a body past the limit is refused without being read.

const SHOP = "replay.myshopify.com";
const PATH = "/webhooks/products/update";
let app: ShopifyAppUnderTest;

beforeAll(async () => {
  app = await startShopifyAppUnderTest();
  await createConnection(SHOP);
});

afterAll(async () => {
  await releaseWorkerUtils();
  await app?.stop();
});

const product = { id: 9001, title: "Replayed", updated_at: "2026-11-30T10:00:00Z", variants: [] };

async function triggeredAt(request: Request, at: Date): Promise<Request> {
  const headers = new Headers(request.headers);
  headers.set("X-Shopify-Triggered-At", at.toISOString());
  return new Request(request.url, { method: "POST", headers, body: await request.text() });
}

describe("webhook replays", () => {
  it("processes a delivery inside Shopify's retry window and ignores (200, nothing recorded or queued) one older than it", async () => {
    const { action } = await import("../../app/routes/webhooks.products.update");
    const now = Date.now();
    const late = await triggeredAt(
      webhookRequest(SHOP, "products/update", PATH, product),
      new Date(now - WEBHOOK_MAX_AGE_MS + 60_000),
    );
    expect((await responseOf(() => action({ request: late, params: {}, context: {} }))).status).toBe(200);
    expect(await queuedJobs(TASK.productDeliveries)).toHaveLength(1);

    const replayed = await triggeredAt(
      webhookRequest(SHOP, "products/update", PATH, product),
      new Date(now - WEBHOOK_MAX_AGE_MS - 60_000),
    );
    expect((await responseOf(() => action({ request: replayed, params: {}, context: {} }))).status).toBe(200);
    expect(await queuedJobs(TASK.productDeliveries)).toHaveLength(1);
    const { rows } = await pgPool().query(
      "SELECT count(*)::int AS n FROM webhook_delivery WHERE topic = 'products/update'",
    );
    expect(rows[0].n).toBe(1);
  });

  it("the window is Shopify's 4 hours of retries (plus a margin for clock skew); no or an unreadable header is stale", () => {
    const now = new Date("2026-12-01T12:00:00Z");
    expect(isStaleDelivery("2026-12-01T08:05:00Z", now)).toBe(false);
    expect(isStaleDelivery("2026-12-01T07:30:00Z", now)).toBe(true);
    expect(isStaleDelivery(undefined, now)).toBe(true);
    expect(isStaleDelivery("yesterday", now)).toBe(true);
  });

  it("applies to every webhook route: a stale app/uninstalled does not deactivate the shop", async () => {
    const { action } = await import("../../app/routes/webhooks.app.uninstalled");
    const stale = await triggeredAt(
      webhookRequest(SHOP, "app/uninstalled", "/webhooks/app/uninstalled", { id: 1 }),
      new Date(Date.now() - 24 * 3600_000),
    );
    expect((await responseOf(() => action({ request: stale, params: {}, context: {} }))).status).toBe(200);
    const { rows } = await pgPool().query("SELECT active FROM merchant_connection WHERE shop = $1", [SHOP]);
    expect(rows[0].active).toBe(true);
  });
});

describe("webhook body limit", () => {
  it("answers 413 to a body past the limit, reading no more of it than the limit", async () => {
    const { action } = await import("../../app/routes/webhooks.products.update");
    let sent = 0;
    const chunk = new Uint8Array(256 * 1024).fill(0x20);
    // A body without a Content-Length that would go on for 1 GiB: the route stops pulling once past the limit.
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += chunk.byteLength;
        if (sent > 1024 ** 3) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const signed = webhookRequest(SHOP, "products/update", PATH, product);
    const request = new Request(signed.url, {
      method: "POST",
      headers: signed.headers,
      body,
      duplex: "half",
    } as RequestInit);
    const response = await responseOf(() => action({ request, params: {}, context: {} }));
    expect(response.status).toBe(413);
    expect(sent).toBeLessThan(BODY_LIMITS.webhook + 4 * chunk.byteLength);

    const declared = new Request(signed.url, {
      method: "POST",
      headers: { ...Object.fromEntries(signed.headers), "Content-Length": String(BODY_LIMITS.webhook + 1) },
      body: "{}",
    });
    expect((await responseOf(() => action({ request: declared, params: {}, context: {} }))).status).toBe(413);
  });
});
