import { describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { screenshot } from "../support/browser";
import { setUpEmulatedAdmin } from "../support/emulated-admin";

// The merchant's pages as a merchant sees them: inside the emulated Shopify admin (emulator/admin-frame.ts), with the
// emulator's App Bridge stand-in loaded by the app, against the app as production runs it (this run's production
// build, in-process worker). The admin frame opens the app with a fresh session token, App Bridge hands out new
// ones for the app's own requests, the app's nav menu becomes the admin's, and nothing on the page throws.
// Screenshots go to tests/artifacts/e2e.

const API_KEY = "e2e-frame-api-key";
const API_SECRET = "e2e-frame-api-secret-0123456789";
const SHOP = "birch-and-bloom.myshopify.com";
const SLOW = { timeout: 30_000, interval: 250 };

const admin = setUpEmulatedAdmin({ apiKey: API_KEY, apiSecret: API_SECRET });

const shot = (name: string) => screenshot(admin.page, name);
const selectedCount = () => prisma.product.count({ where: { shop: SHOP, selected: true } });

describe("merchant pages inside the emulated Shopify admin", () => {
  it("opens the merchant home in the admin frame: installs, shows the status, the app's nav menu, and syncs now", async () => {
    await admin.page.goto(admin.stack.emulator.adminUrl(SHOP));
    // The first open installs the shop (session token, then token exchange with the emulator).
    await expect.poll(() => prisma.merchantConnection.count({ where: { shop: SHOP } }), SLOW).toBe(1);
    await admin.app.getByText("Choose products").first().waitFor();
    await prisma.merchantConnection.update({ where: { shop: SHOP }, data: { approvalStatus: "APPROVED" } });
    await admin.page.reload();
    await admin.app.getByText("Approved", { exact: true }).first().waitFor();
    // ui-nav-menu's links are shown by the admin, not inside the app.
    await expect
      .poll(() => admin.page.locator("#app-nav a").allTextContents(), SLOW)
      .toEqual(["Marketplace Sync", "Products", "Locations"]);

    // The form posts with fetch: App Bridge adds the session token, the app answers.
    await admin.app.getByRole("button", { name: "Sync products now" }).click();
    await expect.poll(() => admin.app.getByTestId("sync-now-outcome").textContent(), SLOW).toMatch(/sync/i);
    await expect
      .poll(() => prisma.syncEvent.count({ where: { shop: SHOP, eventType: "PRODUCT_SYNC", status: "SUCCESS" } }), {
        timeout: 150_000,
        interval: 1000,
      })
      .toBeGreaterThan(0);
    await admin.page.reload();
    await admin.app.getByText("Approved", { exact: true }).first().waitFor();
    await expect
      .poll(() => admin.app.getByTestId("sync-last-run").textContent(), SLOW)
      .toMatch(/^Last finished .*: \d+ products added or updated, 0 deleted/);
    await shot("20-merchant-home-in-admin");
    expect(admin.errors).toEqual([]);
  }, 240_000);

  it("goes to the product selection page through the admin's nav menu and chooses one product, a page, and all", async () => {
    await admin.page.locator("#app-nav a", { hasText: "Products" }).click();
    await admin.app.getByRole("heading", { name: "Products on the marketplace" }).waitFor();
    const rows = admin.app.locator("tbody tr");
    await expect.poll(() => rows.count(), SLOW).toBe(50);
    expect(await selectedCount()).toBe(0);

    // One product.
    await rows.first().locator('input[type="checkbox"]').check({ force: true });
    await admin.app.getByRole("button", { name: "List on marketplace" }).click();
    await expect.poll(selectedCount, SLOW).toBe(1);
    await shot("21-products-one-chosen");

    // The whole page.
    await admin.app.locator('thead input[type="checkbox"]').first().check({ force: true });
    await admin.app.getByRole("button", { name: "List on marketplace" }).click();
    await expect.poll(selectedCount, SLOW).toBe(50);

    // Every matching product, across pages (the selection was cleared by the save).
    await expect
      .poll(
        () => admin.app.getByRole("button", { name: "List on marketplace" }).filter({ visible: true }).count(),
        SLOW,
      )
      .toBe(0);
    await admin.app.locator('thead input[type="checkbox"]').first().check({ force: true });
    await admin.app
      .getByRole("button", { name: /^Select all \d+ matching products$/ })
      .filter({ visible: true })
      .first()
      .click();
    await admin.app.getByRole("button", { name: "List on marketplace" }).filter({ visible: true }).first().click();
    await expect.poll(selectedCount, SLOW).toBe(await prisma.product.count({ where: { shop: SHOP, deletedAt: null } }));

    // All, including products created later: the shop's mode.
    const listAll = admin.app.getByLabel("List all my products on the marketplace");
    await expect.poll(() => listAll.isEnabled(), SLOW).toBe(true); // disabled while the last save reloads the page
    await admin.app.getByText("List all my products on the marketplace").click();
    await expect
      .poll(
        async () => (await prisma.merchantConnection.findUniqueOrThrow({ where: { shop: SHOP } })).selectionMode,
        SLOW,
      )
      .toBe("ALL");
    // The page as the merchant is left with it: the save's reload finished, the mode shown as on.
    await expect.poll(() => listAll.isChecked(), SLOW).toBe(true);
    await expect.poll(() => admin.app.getByText("Loading products…").filter({ visible: true }).count(), SLOW).toBe(0);
    await shot("22-products-all");
    expect(admin.errors).toEqual([]);
  }, 180_000);
});
