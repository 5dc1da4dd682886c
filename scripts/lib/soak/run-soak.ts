import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { disconnectDatabase, pgPool, prisma } from "../../../app/db.server";
import { assignMarketplaceLocations } from "../../../app/inventory/marketplace-locations.server";
import { enqueue, releaseWorkerUtils } from "../../../app/jobs/queue.server";
import { shopJobOptions } from "../../../app/jobs/shop-jobs";
import { TASK } from "../../../app/jobs/task-names";
import { installShop } from "../demo-scenarios";
import { ChangeLog, historyOf, webhookLost } from "./changes";
import { FaultRunner, planFaults, type FaultKind } from "./fault-plan";
import { ShopLife } from "./life";
import { DEFAULT_SOAK_OPTIONS, seededRandom, type SoakOptions } from "./options";
import { createPopulation, type SoakShop } from "./population";
import { runReconciliationCycle } from "./reconciliation-cycle";
import { summariseChanges, type AlertRow, type ApiUse, type SoakReport } from "./report";
import { SOAK_API_KEY, SOAK_API_SECRET, startSoakStack, type SoakStack } from "./soak-stack";
import { measureDrift } from "./truth";
import { TRUTH_MISMATCH_ALERT } from "../../../app/verification/truth-alert.server";
import { DELIVERY_STREAMS } from "../../../app/webhooks/pending-deliveries.server";

// `npm run soak` and the small soak of the tests: start everything, install the population, let the shops live
// under faults for the wall time, stop the life, let the webhooks in flight land, run one reconciliation cycle, and
// compare every listed variant with Shopify's truth before and after it.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number, log: (line: string) => void) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return true;
    await sleep(1_000);
  }
  log(`gave up waiting for ${what} after ${Math.round(timeoutMs / 1000)} s`);
  return false;
}

/** Shops with a sync_event of the kind and status since `since`. */
async function shopsWithEvent(eventType: string, since: Date, shops: string[]): Promise<Set<string>> {
  const { rows } = await pgPool().query<{ shop: string }>(
    "SELECT DISTINCT shop FROM sync_event WHERE event_type = $1 AND status = 'SUCCESS' AND created_at >= $2 AND shop = ANY($3)",
    [eventType, since, shops],
  );
  return new Set(rows.map((r) => r.shop));
}

/**
 * What the life left in flight: deliveries stored and not yet applied by their shop's coalescing job (products/*,
 * inventory_levels/*), and webhook jobs due and not yet done (nor failed for good).
 */
async function webhookJobsInFlight(): Promise<number> {
  const { rows } = await pgPool().query<{ n: number }>(
    `SELECT (SELECT count(*)::int FROM webhook_delivery WHERE payload IS NOT NULL)
          + (SELECT count(*)::int FROM graphile_worker.jobs
              WHERE task_identifier = ANY ($1::text[]) AND run_at <= now() + interval '30 seconds'
                AND attempts < max_attempts) AS n`,
    [[TASK.productWebhook, TASK.inventoryWebhook, TASK.productDeliveries, TASK.inventoryDeliveries]],
  );
  return rows[0].n;
}

async function installPopulation(stack: SoakStack, shops: SoakShop[], options: SoakOptions) {
  const app = { appUrl: stack.appUrl, apiKey: SOAK_API_KEY, apiSecret: SOAK_API_SECRET };
  const since = new Date(Date.now() - 1_000);
  for (const shop of shops) {
    await installShop(app, shop, "soak");
    if (shop.sellsEveryLocation) await assignMarketplaceLocations(shop.domain, shop.locationIds.map(BigInt));
  }
  const domains = shops.map((s) => s.domain);
  options.log(`installed ${shops.length} shops; waiting for their first product syncs`);
  await waitFor(
    "the first product syncs",
    async () => (await shopsWithEvent("PRODUCT_SYNC", since, domains)).size === shops.length,
    options.cycleTimeoutMs,
    options.log,
  );
  const inventorySince = new Date();
  for (const shop of domains)
    await enqueue(TASK.inventorySync, { shop, reason: "manual" }, shopJobOptions(TASK.inventorySync, shop));
  await waitFor(
    "the first inventory syncs",
    async () => (await shopsWithEvent("INVENTORY_SYNC", inventorySince, domains)).size === shops.length,
    options.cycleTimeoutMs,
    options.log,
  );
}

export async function runSoak(
  input: Partial<SoakOptions> & Pick<SoakOptions, "outputDir" | "log">,
): Promise<SoakReport> {
  const options: SoakOptions = { ...DEFAULT_SOAK_OPTIONS, ...input };
  const { log } = options;
  mkdirSync(options.outputDir, { recursive: true });
  const random = seededRandom(options.seed);
  const startedAt = new Date();
  const stack = await startSoakStack({
    outputDir: options.outputDir,
    scheduleTimeScale: options.scheduleTimeScale,
    build: options.build,
    log,
  });
  try {
    const { emulator } = stack;
    const shops = createPopulation(emulator, options, random);
    log(`population: ${shops.length} shops, ${shops.reduce((n, s) => n + s.variants, 0)} variants`);
    await installPopulation(stack, shops, options);
    const atStart = await measureDrift(emulator, shops);
    log(`drift at start: ${atStart.driftedVariants} of ${atStart.listedVariants}`);

    for (const shop of shops) emulator.control.resetStats({ shop: shop.domain });
    const apiSince = Date.now();
    const changes = new ChangeLog(emulator);
    const life = new ShopLife(emulator, changes, random);
    const faults = new FaultRunner(planFaults(stack, shops), log);
    const lifeMs = options.minutes * 60_000;
    const lifeStart = Date.now();
    const bulkShop = [...shops].sort((a, b) => b.products - a.products)[0];
    const reassignShop =
      shops.find((s, i) => i >= 8 && !s.sellsEveryLocation) ?? shops.find((s) => !s.sellsEveryLocation) ?? shops[0];
    let bulkDone = false;
    let reassignDone = false;
    let syncNowDone = false;
    let made = 0;
    let nextPoll = 0;
    log(`life: ${options.minutes} min, ${options.changesPerSecond} changes/s`);
    for (let elapsed = 0; elapsed < lifeMs; elapsed = Date.now() - lifeStart) {
      faults.tick(elapsed, lifeMs);
      if (!bulkDone && elapsed >= 0.2 * lifeMs) {
        bulkDone = true;
        const edited = life.bulkEdit(bulkShop, options.bulkEditProducts);
        log(`bulk edit: ${edited} products of ${bulkShop.domain} repriced at once`);
      }
      if (!reassignDone && elapsed >= 0.4 * lifeMs) {
        reassignDone = true;
        const moved = life.reassignLocationStock(reassignShop, options.reassignedVariants);
        log(
          `location stock reassigned: ${moved} variants of ${reassignShop.domain} moved from the primary location to another`,
        );
      }
      if (!syncNowDone && elapsed >= 0.5 * lifeMs) {
        // Merchants asking for a sync now: a bulk export built and merged while webhooks of newer changes land.
        syncNowDone = true;
        const asked = [...new Set([bulkShop, shops[0]])];
        for (const shop of asked)
          await enqueue(
            TASK.productSync,
            { shop: shop.domain, reason: "manual" },
            shopJobOptions(TASK.productSync, shop.domain),
          );
        log(`product sync now, during the life: ${asked.map((s) => s.domain).join(", ")}`);
      }
      const due = Math.floor((elapsed / 1000) * options.changesPerSecond);
      for (; made < due; made++) life.oneChange(shops);
      if (Date.now() >= nextPoll) {
        await changes.poll().catch(() => undefined); // the database may be restarting
        nextPoll = Date.now() + 1_000;
      }
      await sleep(50);
    }
    await faults.finish(Date.now() - lifeStart);
    const lifeEnded = Date.now();
    log(`life stopped: ${changes.changes.length} changes made; letting the webhooks in flight land`);

    // Settling: Shopify sends what it still holds, no more faults, and retries what failed (its schedule compressed
    // like the app's: 4 minutes at 60) until each delivery arrived or was given up; the webhook jobs in flight run.
    changes.setPhase("settle");
    for (const shop of shops) {
      emulator.control.setWebhookMode({ shop: shop.domain, mode: "deliver" });
      emulator.control.clearFaults({ shop: shop.domain });
    }
    await emulator.control.releaseWebhooks({});
    await emulator.control.waitForWebhooks();
    await waitFor("the webhook jobs in flight", async () => (await webhookJobsInFlight()) === 0, 180_000, log);
    await changes.poll().catch(() => undefined);
    const afterLife = await measureDrift(emulator, shops);
    // Beside each drifted variant, what the life did to it: the first thing to read when drift is not 0.
    for (const sample of afterLife.samples)
      sample.history = historyOf(changes.changes, sample.shop, sample.productId, sample.variantId, lifeStart);
    log(`drift after life: ${afterLife.driftedVariants} of ${afterLife.listedVariants}`);

    changes.setPhase("cycle");
    log("one reconciliation cycle: inventory reconciliation and product sync of every shop, then their verification");
    const cycle = await runReconciliationCycle(
      shops.map((s) => s.domain),
      {
        timeoutMs: options.cycleTimeoutMs,
        onPoll: () => changes.poll().catch(() => undefined),
      },
    );
    await waitFor("the cycle's follow-up jobs", async () => (await webhookJobsInFlight()) === 0, 60_000, log);
    await changes.poll();
    const afterCycle = await measureDrift(emulator, shops);
    for (const sample of afterCycle.samples)
      sample.history = historyOf(changes.changes, sample.shop, sample.productId, sample.variantId, lifeStart);
    log(`drift after one cycle: ${afterCycle.driftedVariants} of ${afterCycle.listedVariants}`);

    const measuredSeconds = (Date.now() - apiSince) / 1000;
    const api: ApiUse[] = shops.map((shop) => {
      const summary = emulator.control.getShop({ shop: shop.domain });
      const budget = Math.round(
        summary.throttleStatus.restoreRate * measuredSeconds + summary.throttleStatus.maximumAvailable,
      );
      return {
        shop: shop.domain,
        plan: shop.plan,
        requests: summary.stats.requests,
        pointsSpent: summary.stats.pointsSpent,
        budget,
        budgetShare: summary.stats.pointsSpent / budget,
        throttled: summary.stats.throttled,
        throttledAfterFirst: Math.max(0, summary.stats.throttled - 1),
      };
    });

    const alerts: AlertRow[] = (
      await prisma.alert.findMany({
        where: { lastSeenAt: { gte: new Date(lifeStart) } },
        orderBy: { firstSeenAt: "asc" },
      })
    ).map((a) => ({
      type: a.type,
      severity: a.severity,
      shop: a.shop,
      jobType: a.jobType,
      status: a.status,
      occurrences: a.occurrences,
      title: a.title,
      firstSeenAtMs: a.firstSeenAt.getTime() - lifeStart,
    }));
    const faultedShops = new Set(faults.injected.map((f) => f.shop).filter(Boolean));
    const platformFaults: FaultKind[] = ["worker-sigkilled", "database-restarted"];
    const platformFaulted = faults.injected.some((f) => platformFaults.includes(f.kind));
    const faultsSeen = faults.injected.map((fault) => ({
      kind: fault.kind,
      shop: fault.shop,
      alerts: alerts.filter(
        (a) => (fault.shop ? a.shop === fault.shop : a.shop === null) && a.firstSeenAtMs >= fault.at - 1_000,
      ).length,
    }));
    // A shop's truth alert is expected only where changes reached Shopify and never the app (webhooks dropped, or
    // given up after Shopify's last retry): until a sync or the verification repairs them, they are real mismatches
    // older than the grace period. Changes in flight (late, reordered, retried, throttled or 5xx'd syncs) are not.
    const lostWebhookShops = new Set(changes.changes.filter(webhookLost).map((c) => c.shop));
    const spuriousAlerts = alerts.filter((a) =>
      a.type === TRUTH_MISMATCH_ALERT
        ? !a.shop || !lostWebhookShops.has(a.shop)
        : a.shop
          ? !faultedShops.has(a.shop)
          : !platformFaulted,
    );

    // Jobs are run at least once: a worker SIGKILLed (or cut from the database) after a job's work committed and
    // before graphile-worker recorded its completion has the job run again. Allowed, as long as the second run
    // changes nothing: a double effect is a delivery whose job applied its change twice.
    const {
      rows: [twice],
    } = await pgPool().query<{ ran_twice: number; applied_twice: number }>(
      `SELECT count(*)::int AS ran_twice, count(*) FILTER (WHERE applied > 1)::int AS applied_twice FROM (
         SELECT metadata->>'webhookId', count(*) FILTER (WHERE metadata->>'applied' = 'true') AS applied FROM sync_event
          WHERE event_type = 'WEBHOOK' AND status = 'SUCCESS' AND metadata ? 'webhookId' AND created_at >= $1
          GROUP BY 1 HAVING count(*) > 1) AS repeated`,
      [new Date(lifeStart)],
    );
    // The coalesced streams name no webhook in their events (a batch of hundreds): their deliveries are counted
    // instead, the events' sum against the receipts processed, over the soak's own database.
    const { rows: coalesced } = await pgPool().query<{ stream: string; processed: number; counted: number }>(
      `WITH processed AS (
         SELECT split_part(topic, '/', 1) AS stream, count(*) AS n FROM webhook_delivery
          WHERE applied_at IS NOT NULL AND split_part(topic, '/', 1) = ANY ($1::text[]) GROUP BY 1),
       in_events AS (
         SELECT metadata->>'stream' AS stream, sum((metadata->>'deliveries')::int) AS n FROM sync_event
          WHERE event_type = 'WEBHOOK' AND metadata->>'stream' = ANY ($1::text[]) GROUP BY 1)
       SELECT s AS stream, coalesce(p.n, 0)::int AS processed, coalesce(e.n, 0)::int AS counted
         FROM unnest($1::text[]) AS s LEFT JOIN processed p ON p.stream = s LEFT JOIN in_events e ON e.stream = s`,
      [Object.values(DELIVERY_STREAMS).map((stream) => stream.resource)],
    );
    const { rows: failed } = await pgPool().query<{ task: string; error: string | null }>(
      "SELECT task_identifier AS task, last_error AS error FROM graphile_worker.jobs WHERE attempts >= max_attempts AND locked_at IS NULL ORDER BY id LIMIT 50",
    );

    const summary = summariseChanges(changes.changes);
    const report: SoakReport = {
      options: { ...options, log: undefined },
      startedAt: startedAt.toISOString(),
      lifeMs: lifeEnded - lifeStart,
      population: shops.map(({ domain, plan, variants, products, locationIds, marketplaceLocationIds }) => ({
        domain,
        plan,
        variants,
        products,
        locationIds,
        marketplaceLocationIds,
      })),
      drift: { atStart, afterLife, afterCycle },
      changes: summary,
      cycle: { durationMs: cycle.finishedAt - cycle.startedAt, runs: cycle.runs },
      webhooks: emulator.control.webhookSummary(),
      api,
      faults: faults.injected,
      alerts,
      faultsSeen,
      spuriousAlerts,
      workerCrashes: stack.crashes.map((c) => ({ ...c, at: c.at - lifeStart })),
      doubleEffects: {
        webhookJobsRunTwice: twice.ran_twice,
        webhookChangesAppliedTwice: twice.applied_twice,
        coalescedDeliveries: Object.fromEntries(
          coalesced.map(({ stream, processed, counted }) => [stream, { processed, counted }]),
        ),
        failedJobs: failed,
      },
      invariants: {
        driftAfterCycleZero: afterCycle.driftedVariants === 0,
        verificationAfterCycleZero: cycle.runs
          .filter((r) => r.task === TASK.verification)
          .every((r) => r.status === "SUCCESS" && r.mismatched === 0 && (r.inFlight ?? 0) === 0),
        everyChangeShown: summary.notShown === 0,
        noDoubleEffect: twice.applied_twice === 0 && coalesced.every((c) => c.counted <= c.processed),
      },
    };
    writeFileSync(path.join(options.outputDir, "soak-report.json"), `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    log("stopping");
    // This process's connections first: the database they point at is about to stop.
    await releaseWorkerUtils().catch(() => undefined);
    await disconnectDatabase().catch(() => undefined);
    await stack.stop().catch((error: Error) => log(`stopping: ${error.message}`));
  }
}
