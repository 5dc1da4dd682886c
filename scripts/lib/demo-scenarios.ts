import type { RunningEmulator } from "../../emulator";
import { prisma } from "../../app/db.server";
import { assignMarketplaceLocations } from "../../app/inventory/marketplace-locations.server";
import { enqueue } from "../../app/jobs/queue.server";
import { shopJobOptions } from "../../app/jobs/shop-jobs";
import { TASK } from "../../app/jobs/task-names";
import { queueVerificationOfAllShops } from "../../app/verification/queue-verifications.server";
import { DEMO_SHOPS } from "./demo-stack";
import { DESKTOP_CHROME_USER_AGENT, embeddedAppUrl } from "./embedded-app-url";

// What an operator meets, produced by the product's own code paths on the demo's shops (issue 17 item 5): the
// emulator is set up as Shopify would behave, the app's worker runs the real jobs, and the alerts, findings and
// recoveries on the dashboard are the ones those jobs recorded. Nothing here writes an alert, a finding or a sync
// event itself.

export const DEMO_SCENARIO_SHOPS = {
  /** Seeded with edge cases (a 0.00 price, a compare-at price below the price...): the integrity check flags them. */
  invalidPrices: "birch-and-bloom.myshopify.com",
  /** Its rate-limit bucket drained before its inventory sync: the sync waits out Shopify's throttling. */
  throttled: "aurora-outfitters.myshopify.com",
  /** Its access token revoked (the merchant's token is gone): the next sync fails and alerts; reinstalled through
   * the embedded auth, the following sync succeeds and the alert is resolved with a recovery notice. */
  revokedThenReinstalled: "cobalt-cycles.myshopify.com",
  /** Sells the stock of both its locations, not the primary location alone. */
  twoLocations: "aurora-outfitters.myshopify.com",
  /** A price changed in Shopify whose products/update webhook never came: the verification finds it (a finding with
   * both prices) and queues the product sync that repairs it; every shop's truth figure is on the pages. */
  drifted: "aurora-outfitters.myshopify.com",
} as const;

/**
 * What the app the scenarios run against is started with. The drifted price is changed seconds before the
 * verification reads it, which the in-flight grace would set aside as a webhook still on its way (re-checked next
 * hour): the demo shows a webhook lost long ago, so its stack has no grace.
 */
export const DEMO_SCENARIO_ENV = { VERIFICATION_IN_FLIGHT_GRACE_SECONDS: "0" } as const;

export interface DemoApp {
  appUrl: string;
  apiKey: string;
  apiSecret: string;
}

/** Opens the embedded app for a shop as Shopify admin would: a session token, then the app's token exchange. */
export async function openEmbeddedApp(app: DemoApp, shop: string): Promise<void> {
  const response = await fetch(embeddedAppUrl({ ...app, shop, ttlSeconds: 60 }), {
    redirect: "manual",
    // The Shopify library turns away requests that look like bots (410), which a bare fetch does.
    headers: { "User-Agent": DESKTOP_CHROME_USER_AGENT },
  });
  if (response.status >= 400) console.warn(`[demo] opening the app for ${shop} answered ${response.status}`);
}

/** Installs each demo shop (or uses its stored session), approves it as an operator would, and queues its first
 * product sync now rather than at the next 03:00 UTC. */
export async function installDemoShops(app: DemoApp): Promise<void> {
  for (const shop of DEMO_SHOPS) await installShop(app, shop, "demo");
}

/** Installs one shop through the embedded auth, approves it listing every product, and queues its first product
 * sync (the demo's shops, the soak's population). */
export async function installShop(
  app: DemoApp,
  shop: { domain: string; name: string },
  approvedBy: string,
): Promise<void> {
  await openEmbeddedApp(app, shop.domain);
  await prisma.merchantConnection.upsert({
    where: { shop: shop.domain },
    create: {
      shop: shop.domain,
      merchantId: `merchant-${shop.domain.split(".")[0]}`,
      shopName: shop.name,
      approvalStatus: "APPROVED",
      approvalChangedBy: approvedBy,
      approvalChangedAt: new Date(),
      selectionMode: "ALL",
    },
    // The install created the connection (pending, nothing selected): every product is listed.
    update: {
      active: true,
      approvalStatus: "APPROVED",
      approvalChangedBy: approvedBy,
      approvalChangedAt: new Date(),
      selectionMode: "ALL",
    },
  });
  await enqueue(
    TASK.productSync,
    { shop: shop.domain, reason: "manual" },
    shopJobOptions(TASK.productSync, shop.domain),
  );
}

export interface DemoScenarioDeps {
  emulator: RunningEmulator;
  /** Opens the embedded app for the shop as Shopify admin would (session token, then token exchange). */
  openApp(shop: string): Promise<void>;
  /** How long to wait for the worker to run each step's job. */
  timeoutMs?: number;
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`demo scenarios: ${what} did not happen within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The newest finished sync event of a kind for a shop after `since`, once the worker has recorded one. */
function finishedEvent(
  shop: string,
  eventType: "PRODUCT_SYNC" | "INVENTORY_SYNC" | "DATA_INTEGRITY" | "VERIFICATION",
  since: Date,
) {
  return () =>
    prisma.syncEvent.findFirst({
      where: { shop, eventType, createdAt: { gte: since } },
      orderBy: { createdAt: "desc" },
    });
}

/**
 * Runs the scenarios on shops that are installed, approved and have had their first product sync queued. Returns
 * once each has produced what it shows; throws (naming the step) if the worker does not get there in time.
 */
export async function runDemoScenarios(deps: DemoScenarioDeps): Promise<void> {
  const timeoutMs = deps.timeoutMs ?? 180_000;
  const { emulator } = deps;
  const started = new Date(Date.now() - 1000);

  // Invalid prices: once the catalog is in, the weekly integrity check, run now, flags them and alerts.
  const priced = DEMO_SCENARIO_SHOPS.invalidPrices;
  await waitFor(`the first product sync of ${priced}`, finishedEvent(priced, "PRODUCT_SYNC", started), timeoutMs);
  await enqueue(TASK.integrityCheck, { shop: priced, reason: "manual" }, shopJobOptions(TASK.integrityCheck, priced));
  await waitFor(`the integrity check of ${priced}`, finishedEvent(priced, "DATA_INTEGRITY", started), timeoutMs);

  // Two locations: the marketplace sells both locations' stock; the inventory sync below reads both.
  const multi = emulator.control.getShop({ shop: DEMO_SCENARIO_SHOPS.twoLocations });
  await assignMarketplaceLocations(
    multi.domain,
    multi.locations.map((l) => BigInt(l.legacyResourceId)),
  );

  // Throttled: Shopify's bucket is empty when the inventory sync starts; the sync backs off and completes.
  const throttled = DEMO_SCENARIO_SHOPS.throttled;
  await waitFor(`the first product sync of ${throttled}`, finishedEvent(throttled, "PRODUCT_SYNC", started), timeoutMs);
  emulator.control.drainBucket({ shop: throttled });
  await enqueue(
    TASK.inventorySync,
    { shop: throttled, reason: "manual" },
    shopJobOptions(TASK.inventorySync, throttled),
  );
  await waitFor(
    `the throttled inventory sync of ${throttled}`,
    finishedEvent(throttled, "INVENTORY_SYNC", started),
    timeoutMs,
  );

  // Revoked, then reinstalled: a sync with the revoked token fails and alerts; after the reinstall the next sync
  // succeeds and resolves the alert (a recovery notice).
  const revoked = DEMO_SCENARIO_SHOPS.revokedThenReinstalled;
  await waitFor(`the first product sync of ${revoked}`, finishedEvent(revoked, "PRODUCT_SYNC", started), timeoutMs);
  emulator.control.revokeTokens({ shop: revoked });
  const beforeFailure = new Date();
  await enqueue(TASK.inventorySync, { shop: revoked, reason: "manual" }, shopJobOptions(TASK.inventorySync, revoked));
  await waitFor(
    `an alert for ${revoked}'s revoked token`,
    // Seen since the failure: an incident already open for the shop counts this occurrence rather than opening another.
    () => prisma.alert.findFirst({ where: { shop: revoked, lastSeenAt: { gte: beforeFailure } } }),
    timeoutMs,
  );
  // The 401 deactivated the connection and dropped its session; opening the app exchanges a new token (a reinstall).
  await deps.openApp(revoked);
  await waitFor(
    `the reinstall of ${revoked}`,
    () => prisma.merchantConnection.findFirst({ where: { shop: revoked, active: true } }),
    timeoutMs,
  );
  await enqueue(TASK.inventorySync, { shop: revoked, reason: "manual" }, shopJobOptions(TASK.inventorySync, revoked));
  await waitFor(
    `the recovery of ${revoked}`,
    () => prisma.alert.findFirst({ where: { shop: revoked, status: "RESOLVED", resolvedAt: { gte: beforeFailure } } }),
    timeoutMs,
  );

  // Verification: every shop's stock read (the hourly sync, run now), a price changed in Shopify with its webhook
  // lost, then one verification of every shop: the truth figures on the pages, and the drifted price found.
  const beforeStock = new Date();
  for (const shop of DEMO_SHOPS) {
    await enqueue(
      TASK.inventorySync,
      { shop: shop.domain, reason: "manual" },
      shopJobOptions(TASK.inventorySync, shop.domain),
    );
  }
  for (const shop of DEMO_SHOPS) {
    await waitFor(
      `the inventory sync of ${shop.domain}`,
      finishedEvent(shop.domain, "INVENTORY_SYNC", beforeStock),
      timeoutMs,
    );
  }
  const drifted = DEMO_SCENARIO_SHOPS.drifted;
  const [product] = emulator.control.listProducts({ shop: drifted, limit: 1 });
  emulator.control.updateVariant({ shop: drifted, variantId: product.variants[0].id, price: "1234.50" }); // no webhook
  const beforeVerification = new Date();
  await queueVerificationOfAllShops(beforeVerification);
  for (const shop of DEMO_SHOPS) {
    await waitFor(
      `the verification of ${shop.domain}`,
      finishedEvent(shop.domain, "VERIFICATION", beforeVerification),
      timeoutMs,
    );
  }
}
