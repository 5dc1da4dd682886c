import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { DEMO_SCENARIO_SHOPS, installDemoShops, openEmbeddedApp, runDemoScenarios } from "../../scripts/lib/demo-scenarios";
import { startDemoStack, type DemoStack } from "../../scripts/lib/demo-stack";
import { productionBuild } from "../support/production-build";

// Issue 17 item 5: `npm run demo`'s seeding produces, through the product's own jobs, what an operator meets when
// things go wrong: findings and an alert for invalid prices, a throttled sync that completes, an alert for a revoked
// token and its recovery after the reinstall, and a shop selling from two locations.

const API_KEY = "scenarios-api-key";
const API_SECRET = "scenarios-api-secret-0123456789";

let stack: DemoStack;

beforeAll(async () => {
  stack = await startDemoStack({ databaseUrl: process.env.DATABASE_URL!, apiKey: API_KEY, apiSecret: API_SECRET, build: await productionBuild(), worker: true });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

describe("the demo's failure and recovery scenarios", () => {
  it("leave findings and an alert, a completed throttled sync, a resolved alert after the reinstall, and two locations", async () => {
    const app = { appUrl: stack.appUrl, apiKey: API_KEY, apiSecret: API_SECRET };
    await installDemoShops(app);
    await runDemoScenarios({ emulator: stack.emulator, openApp: (shop) => openEmbeddedApp(app, shop), timeoutMs: 240_000 }).catch(async (error: Error) => {
      const alerts = await prisma.alert.findMany({ select: { shop: true, type: true, jobType: true, status: true, title: true } });
      const events = await prisma.syncEvent.findMany({ select: { shop: true, eventType: true, status: true, errorMessage: true }, orderBy: { id: "asc" } });
      throw new Error(`${error.message}\nalerts: ${JSON.stringify(alerts)}\nevents: ${JSON.stringify(events).slice(-3000)}\n${stack.output().slice(-3000)}`);
    });

    const priced = DEMO_SCENARIO_SHOPS.invalidPrices;
    expect(await prisma.integrityFinding.count({ where: { shop: priced } })).toBeGreaterThan(0);
    expect(await prisma.alert.findFirst({ where: { shop: priced, type: "DATA_INTEGRITY_ISSUE" } })).not.toBeNull();

    const throttled = await prisma.syncEvent.findFirst({ where: { shop: DEMO_SCENARIO_SHOPS.throttled, eventType: "INVENTORY_SYNC" }, orderBy: { createdAt: "desc" } });
    expect(throttled?.status).toBe("SUCCESS");

    const recovered = await prisma.alert.findFirst({ where: { shop: DEMO_SCENARIO_SHOPS.revokedThenReinstalled, status: "RESOLVED" } });
    expect(recovered?.resolvedAt).toBeInstanceOf(Date);

    const multi = await prisma.merchantConnection.findUniqueOrThrow({ where: { shop: DEMO_SCENARIO_SHOPS.twoLocations } });
    expect(multi.marketplaceLocationIds).toHaveLength(2);
  }, 600_000);
});
