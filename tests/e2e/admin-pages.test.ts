import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrResetAdminAccount } from "../../app/admin-auth/admin-accounts.server";
import { pgPool, prisma } from "../../app/db.server";
import { DESKTOP_CHROME_USER_AGENT, openBrowserPage, screenshot, type BrowserSession } from "../support/browser";
import { embeddedAppUrl as signedEmbeddedAppUrl } from "../../scripts/lib/embedded-app-url";
import { startProductionStack } from "../support/production-build";
import type { DemoStack } from "../../scripts/lib/demo-stack";

// The other platform admin pages and the merchant page in Debian's Chromium, against the app as production runs it
// (this run's production build, in-process worker) and the Shopify emulator: open the merchant page as Shopify admin
// would (which installs the shop), acknowledge an alert, run a product sync from the merchant's admin page and watch
// it complete.
// Screenshots go to tests/artifacts/e2e.

const EMAIL = "e2e-pages-operator@marketplace.test";
const PASSWORD = "e2e-password-not-secret";
const API_KEY = "e2e-api-key";
const API_SECRET = "e2e-api-secret-0123456789";
const SHOP = "birch-and-bloom.myshopify.com";
const OTHER_SHOP = "cobalt-cycles.myshopify.com";

let stack: DemoStack | undefined;
let browser: BrowserSession | undefined;
let page: Page;
const SLOW = { timeout: 30_000, interval: 250 };

const shot = (name: string) => screenshot(page, name);

/** The URL Shopify admin opens the embedded app at, with a session token signed with the app's secret. */
function embeddedAppUrl(shop: string): string {
  return signedEmbeddedAppUrl({ appUrl: stack!.appUrl, shop, apiKey: API_KEY, apiSecret: API_SECRET, ttlSeconds: 300 });
}

beforeAll(async () => {
  await createOrResetAdminAccount({ email: EMAIL, role: "OPERATOR", password: PASSWORD });
  await prisma.alert.create({
    data: {
      type: "SYNC_FAILURE",
      severity: "CRITICAL",
      shop: SHOP,
      jobType: "inventory-sync",
      dedupeKey: `SYNC_FAILURE:${SHOP}:inventory-sync`,
      title: "Inventory sync of birch-and-bloom failed 3 times",
      occurrences: 3,
      notifiedChannels: ["slack"],
    },
  });
  await prisma.syncEvent.create({
    data: { shop: OTHER_SHOP, eventType: "PRODUCT_SYNC", status: "FAILURE", errorMessage: "cobalt-only failure" },
  });
  stack = await startProductionStack({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
  });
  browser = await openBrowserPage({ userAgent: DESKTOP_CHROME_USER_AGENT });
  page = browser.page;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
}, 60_000);

describe("merchant page and platform admin pages in Chromium", () => {
  it("opens the merchant page as Shopify admin would: this shop only, with its approval and sync now", async () => {
    // The first open installs the shop (token exchange with the emulator); the marketplace then approves it.
    // Opened on its own, outside the admin, the app is sent into the (emulated) admin, as App Bridge does.
    await page.goto(embeddedAppUrl(SHOP));
    await page.waitForURL(`${stack!.emulator.url}/__admin/${SHOP}?path=%2Fapp`);
    await expect.poll(() => prisma.merchantConnection.count({ where: { shop: SHOP } }), SLOW).toBe(1);
    await prisma.merchantConnection.update({
      where: { shop: SHOP },
      data: { approvalStatus: "APPROVED", selectionMode: "ALL" },
    });
    await page.goto(stack!.emulator.adminUrl(SHOP));
    const app = page.frameLocator("#app");
    await app.getByText("Approved", { exact: true }).waitFor();
    await app.getByRole("button", { name: "Sync products now" }).waitFor();
    expect(await app.locator("body").innerText()).not.toContain("cobalt-only failure");
    await shot("10-merchant-page");
  }, 180_000);

  it("signs in and acknowledges an alert", async () => {
    await page.goto(`${stack!.appUrl}/admin/alerts`);
    await page.waitForURL(/\/admin\/login\?redirectTo=/);
    await page.getByLabel("Email").fill(EMAIL);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/admin\/alerts$/);
    const alert = await prisma.alert.findFirstOrThrow({ where: { shop: SHOP } });
    await page.getByText(alert.title).waitFor();
    await page.getByRole("button", { name: `Acknowledge alert ${alert.id}` }).click();
    await expect.poll(() => page.getByTestId("action-outcome").textContent(), SLOW).toMatch(/acknowledged/);
    await shot("11-alert-acknowledged");
    expect(await prisma.alert.findUniqueOrThrow({ where: { id: alert.id } })).toMatchObject({
      status: "ACKNOWLEDGED",
      acknowledgedBy: EMAIL,
    });
  }, 120_000);

  it("runs a product sync from the merchant's admin page and watches it complete", async () => {
    await page.goto(`${stack!.appUrl}/admin/merchants`);
    // The search is a GET form: its text lands in the URL.
    await page.getByLabel("Shop domain or name").fill("cobalt");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/\/admin\/merchants\?q=cobalt$/);
    await page.getByText("No merchant matches.").waitFor();
    await page.getByLabel("Shop domain or name").fill("BIRCH");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/\/admin\/merchants\?q=BIRCH$/);
    await shot("12-merchants-search");
    await page.getByRole("link", { name: SHOP }).click();
    await page.waitForURL(/\/admin\/merchants\/birch-and-bloom\.myshopify\.com$/);
    await page.getByRole("button", { name: "Run product sync now" }).click();
    await expect.poll(() => page.getByTestId("action-outcome").textContent(), SLOW).toMatch(/queued to run now/);
    await shot("13-merchant-sync-queued");
    // The in-process worker runs the bulk export against the emulator and ingests it.
    await expect
      .poll(() => prisma.syncEvent.count({ where: { shop: SHOP, eventType: "PRODUCT_SYNC", status: "SUCCESS" } }), {
        timeout: 150_000,
        interval: 1000,
      })
      .toBeGreaterThan(0);
    await page.reload();
    await expect.poll(() => page.getByTestId("stat-listed-products").textContent(), SLOW).not.toMatch(/^0 \//);
    // The finished run says what it changed.
    await expect
      .poll(() => page.getByTestId("sync-last-run").textContent(), SLOW)
      .toMatch(/\d+ products added or updated, \d+ deleted/);
    await shot("14-merchant-synced");
    expect(
      await prisma.adminAction.findFirst({ where: { shop: SHOP, action: "sync-products", adminEmail: EMAIL } }),
    ).not.toBeNull();
  }, 240_000);

  it("lists findings flagged first and resolves one; lists a queued job by task and shop", async () => {
    const flagged = await prisma.integrityFinding.create({
      data: {
        runId: "e2e-run",
        shop: SHOP,
        check: "invalid_price",
        entityType: "variant",
        entityId: 11n,
        outcome: "FLAGGED",
        message: "Variant 11 has no price",
      },
    });
    // Newer, but a record of a repair: listed after the flagged one.
    await prisma.integrityFinding.create({
      data: {
        runId: "e2e-run",
        shop: SHOP,
        check: "orphaned_variant",
        entityType: "variant",
        entityId: 12n,
        outcome: "FIXED",
        message: "Orphaned variant 12 removed",
        createdAt: new Date(Date.now() + 60_000),
      },
    });
    await page.goto(`${stack!.appUrl}/admin/findings`);
    await page.getByText("Variant 11 has no price").waitFor();
    expect(await page.locator("table tbody tr").first().textContent()).toContain("Variant 11 has no price");
    expect(await page.locator("table tbody tr").nth(1).textContent()).toContain("Orphaned variant 12 removed");
    await shot("15-findings");
    await page.getByRole("button", { name: `Resolve finding ${flagged.id}` }).click();
    await expect.poll(() => page.getByTestId("action-outcome").textContent(), SLOW).toMatch(/resolved/);
    expect((await prisma.integrityFinding.findUniqueOrThrow({ where: { id: flagged.id } })).resolvedBy).toBe(EMAIL);

    // A job an hour away, so the in-process worker leaves it queued.
    await pgPool().query(
      `SELECT graphile_worker.add_job('integrity-check', json_build_object('shop', $1::text, 'reason', 'manual'), run_at := now() + interval '1 hour')`,
      [OTHER_SHOP],
    );
    await page.goto(`${stack!.appUrl}/admin/jobs?shop=${OTHER_SHOP}`);
    const jobRow = page.getByTestId("jobs-table").locator("tbody tr", { hasText: OTHER_SHOP });
    await jobRow.waitFor();
    expect(await jobRow.textContent()).toMatch(/integrity-check.*pending/);
    await shot("16-jobs");
    expect(browser!.errors).toEqual([]);
  }, 120_000);

  it("jobs page: each schedule in words with its next fire time, running, queued and failed jobs, and recent finished runs", async () => {
    // A retry waiting for its next attempt (with the last attempt's error), one failed for good, one running.
    await pgPool().query(
      `SELECT graphile_worker.add_job('inventory-sync', json_build_object('shop', $1::text, 'reason', 'schedule',
                '_retry', json_build_object('attempt', 2, 'lastError', 'Shopify answered 502')), run_at := now() + interval '2 hours',
                job_key := 'e2e-retry')`,
      [OTHER_SHOP],
    );
    await pgPool().query(
      `SELECT graphile_worker.add_job('product-sync', json_build_object('shop', $1::text, 'reason', 'schedule'), run_at := now() + interval '3 hours',
                job_key := 'e2e-running', max_attempts := 1)`,
      [OTHER_SHOP],
    );
    await pgPool().query(
      "UPDATE graphile_worker._private_jobs SET locked_at = now(), locked_by = 'e2e-worker' WHERE key = 'e2e-running'",
    );
    await pgPool().query(
      `SELECT graphile_worker.add_job('integrity-check', json_build_object('shop', $1::text, 'reason', 'schedule'), run_at := now() + interval '4 hours',
                job_key := 'e2e-failed', max_attempts := 1)`,
      [OTHER_SHOP],
    );
    await pgPool().query(
      "UPDATE graphile_worker._private_jobs SET attempts = 1, last_error = 'Integrity check failed: statement timeout' WHERE key = 'e2e-failed'",
    );

    await page.goto(`${stack!.appUrl}/admin/jobs?shop=${OTHER_SHOP}`);
    const schedules = page.getByTestId("schedules");
    await schedules.waitFor();
    const productSchedule = await schedules.locator("tr", { hasText: "product-sync-fan-out" }).textContent();
    expect(productSchedule).toContain("daily at 03:00 UTC");
    expect(productSchedule).toContain("12 hours");
    // The next fire time is a 03:00 UTC.
    expect(productSchedule).toMatch(/\d{4}-\d\d-\d\d 03:00:00 UTC/);
    expect(await schedules.locator("tr", { hasText: "integrity-check-fan-out" }).textContent()).toContain(
      "Sundays at 02:00 UTC",
    );

    const jobs = page.getByTestId("jobs-table");
    const row = (task: string) => jobs.locator("tbody tr", { hasText: task }).filter({ hasText: OTHER_SHOP }).first();
    expect(await row("inventory-sync").textContent()).toMatch(
      /pending.*2 of 3.*next attempt \d{4}-.*Shopify answered 502/,
    );
    expect(await row("product-sync").textContent()).toMatch(/running.*started \d{4}-/);
    expect(await row("integrity-check-fan-out").count()).toBe(0);
    expect(await jobs.locator("tbody tr", { hasText: "statement timeout" }).textContent()).toMatch(/failed.*gave up/);

    // The product sync of the earlier test is among the recent finished runs (its job is long gone).
    const runs = page.getByTestId("recent-runs");
    expect(
      await runs.locator("tr", { hasText: SHOP }).filter({ hasText: "Product sync" }).first().textContent(),
    ).toContain("Success");
    await shot("17-jobs-schedules-and-runs");
    expect(browser!.errors).toEqual([]);
  }, 120_000);

  it("shows a product sync while Shopify builds its export and while it is imported, on the sync monitor and the merchant's page", async () => {
    // An export that Shopify is still building (no job polls it: the row stands still until the test moves it).
    await pgPool().query(
      "INSERT INTO bulk_operation (id, shop, status, object_count) VALUES (990001, $1, 'RUNNING', 1200)",
      [SHOP],
    );
    await page.goto(`${stack!.appUrl}/admin/sync-monitor`);
    await expect
      .poll(() => page.getByTestId("sync-progress-stage").textContent(), SLOW)
      .toBe("Shopify is building the export: 1,200 objects so far");
    await shot("19-sync-monitor-export-running");
    // The import moves on; the page refreshes on its own while a sync runs.
    await pgPool().query(
      "UPDATE bulk_operation SET status = 'COMPLETED', object_count = 5000, ingest_stage = 'IMPORTING', lines_read = 1800 WHERE id = 990001",
    );
    await expect
      .poll(() => page.getByTestId("sync-progress-stage").textContent(), { timeout: 30_000, interval: 500 })
      .toBe("Importing: 1,800 of 5,000 lines read");
    await page.goto(`${stack!.appUrl}/admin/merchants/${SHOP}`);
    await expect
      .poll(() => page.getByTestId("sync-progress-stage").textContent(), SLOW)
      .toBe("Importing: 1,800 of 5,000 lines read");
    await shot("19-merchant-import-running");
    await pgPool().query("UPDATE bulk_operation SET ingest_stage = 'MERGING', lines_read = 5000 WHERE id = 990001");
    await expect
      .poll(() => page.getByTestId("sync-progress-stage").textContent(), { timeout: 30_000, interval: 500 })
      .toBe("Merging 5,000 lines into the catalogue");
    await pgPool().query("UPDATE bulk_operation SET error = 'test over' WHERE id = 990001");
    expect(browser!.errors).toEqual([]);
  }, 120_000);

  it("previews the integrity check of a merchant, then runs it for real", async () => {
    await page.goto(`${stack!.appUrl}/admin/merchants/${SHOP}`);
    await page.getByRole("button", { name: "Preview integrity check" }).click();
    await expect.poll(() => page.getByTestId("action-outcome").textContent(), SLOW).toMatch(/Nothing was changed\.$/);
    const card = page.getByTestId("integrity-preview-card");
    const summary = await card.getByTestId("preview-summary").textContent();
    expect(summary).toMatch(/^A real run would repair \d+ and flag \d+ for review\.$/);
    await shot("18-integrity-preview");
    const flaggedBefore = await prisma.integrityFinding.count({
      where: { shop: SHOP, outcome: "FLAGGED", resolvedAt: null },
    });
    await card.getByRole("button", { name: "Run integrity check now" }).click();
    await expect
      .poll(() => page.getByTestId("action-outcome").textContent(), SLOW)
      .toMatch(/integrity-check for .* queued to run now/);
    await expect
      .poll(() => prisma.syncEvent.count({ where: { shop: SHOP, eventType: "DATA_INTEGRITY" } }), {
        timeout: 60_000,
        interval: 500,
      })
      .toBe(1);
    const wouldFlag = Number(/flag (\d+)/.exec(summary!)![1]);
    // A real run flags what the preview said (less what was already flagged and unresolved).
    expect(
      await prisma.integrityFinding.count({ where: { shop: SHOP, outcome: "FLAGGED", resolvedAt: null } }),
    ).toBeGreaterThanOrEqual(Math.min(wouldFlag, flaggedBefore + 1));
    expect(
      await prisma.adminAction.findFirst({ where: { shop: SHOP, action: "preview-integrity", adminEmail: EMAIL } }),
    ).not.toBeNull();
    expect(browser!.errors).toEqual([]);
  }, 120_000);
});
