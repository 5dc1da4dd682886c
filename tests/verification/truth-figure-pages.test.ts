import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderMetrics } from "../../app/analytics/metrics.server";
import { recordSyncEvent } from "../../app/analytics/record-sync-event.server";
import { pgPool } from "../../app/db.server";
import { releaseWorkerUtils } from "../../app/jobs/queue.server";
import { loader as merchantLoader } from "../../app/routes/admin.merchants_.$shop";
import { loader as syncMonitorLoader } from "../../app/routes/admin.sync-monitor";
import { computeTruthFigure } from "../../app/verification/truth-figure.server";
import { adminGet, createAdmin, responseOf, routeArgs, signIn } from "../support/admin";
import { createConnection } from "../support/merchants";

// The truth figure per shop, as the admin merchant page, the sync monitor and /metrics show it: computed from the
// variants' verified_at and the verification runs' counts, relative to an instant (no test depends on today).

const HOUR = 3_600_000;
const SHOP = "truthful.myshopify.com";
const WORSE = "drifting.myshopify.com";
let cookie: string;

function sample(body: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = body
    .split("\n")
    .find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.slice(0, l.indexOf("}")).includes(w)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

/** A shop of two listed variants, one verified an hour ago and one three days ago, and a run three days ago. */
async function verifiedShop(
  shop: string,
  now: Date,
  earlier: { verified: number; mismatched: number },
  latest: { verified: number; mismatched: number },
) {
  await createConnection(shop);
  await pgPool().query(
    `INSERT INTO product (shop, id, title, status, selected, listed) VALUES ($1, 1, 'Lamp', 'ACTIVE', true, true)`,
    [shop],
  );
  await pgPool().query(
    `INSERT INTO product_variant (shop, id, product_id, price, available_quantity, verified_at) VALUES ($1, 11, 1, 10, 1, $2), ($1, 12, 1, 10, 1, $3)`,
    [shop, new Date(now.getTime() - HOUR), new Date(now.getTime() - 72 * HOUR)],
  );
  await recordSyncEvent({
    shop,
    eventType: "VERIFICATION",
    status: "SUCCESS",
    createdAt: new Date(now.getTime() - 72 * HOUR),
    metadata: earlier,
  });
  const truth = await computeTruthFigure(shop, now, latest);
  await recordSyncEvent({
    shop,
    eventType: "VERIFICATION",
    status: "SUCCESS",
    createdAt: new Date(now.getTime() - HOUR),
    metadata: { ...latest, truth },
  });
  return truth;
}

beforeAll(async () => {
  await createAdmin("viewer@example.com", "VIEWER");
  ({ cookie } = await signIn("viewer@example.com"));
});
afterAll(() => releaseWorkerUtils());

describe("the truth figure on the pages and in /metrics", () => {
  it("counts the share of listed variants verified and the mismatches per window", async () => {
    const now = new Date();
    const truth = await verifiedShop(SHOP, now, { verified: 1, mismatched: 1 }, { verified: 1, mismatched: 0 });
    expect(truth).toEqual({
      listed: 2,
      "24h": { verified: 1, checks: 1, mismatches: 0 },
      "7d": { verified: 2, checks: 2, mismatches: 1 },
    });
    await verifiedShop(WORSE, now, { verified: 0, mismatched: 0 }, { verified: 2, mismatched: 2 });

    const merchant = await responseOf(() =>
      merchantLoader(routeArgs(adminGet(`/admin/merchants/${SHOP}`, cookie), { shop: SHOP })),
    );
    expect(merchant.status).toBe(200);
    expect((await merchant.json()).truth).toMatchObject({ shop: SHOP, figure: truth });

    const monitor = await responseOf(() => syncMonitorLoader(routeArgs(adminGet("/admin/sync-monitor", cookie))));
    const { truth: listed } = (await monitor.json()) as { truth: Array<{ shop: string }> };
    expect(listed.map((t) => t.shop)).toEqual([WORSE, SHOP]); // worst 24-hour mismatch rate first
    const filtered = await responseOf(() =>
      syncMonitorLoader(routeArgs(adminGet(`/admin/sync-monitor?shop=${SHOP}`, cookie))),
    );
    expect(((await filtered.json()) as { truth: Array<{ shop: string }> }).truth.map((t) => t.shop)).toEqual([SHOP]);

    const { body } = await renderMetrics();
    expect(sample(body, "marketplace_sync_truth_verified_ratio", { shop: SHOP, window: "24h" })).toBe(0.5);
    expect(sample(body, "marketplace_sync_truth_verified_ratio", { shop: SHOP, window: "7d" })).toBe(1);
    expect(sample(body, "marketplace_sync_truth_mismatches", { shop: SHOP, window: "7d" })).toBe(1);
    expect(sample(body, "marketplace_sync_truth_mismatch_ratio", { shop: SHOP, window: "7d" })).toBe(0.5);
    expect(sample(body, "marketplace_sync_truth_mismatch_ratio", { shop: WORSE, window: "24h" })).toBe(1);
  });
});
