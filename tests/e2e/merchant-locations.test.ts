import { describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { screenshot } from "../support/browser";
import { setUpEmulatedAdmin } from "../support/emulated-admin";

// The marketplace-locations page as a merchant uses it: inside the emulated Shopify admin, against the production
// build with its in-process worker. The merchant sees their Shopify locations (the primary one selling), adds the
// second, and the reconciliation re-reads the stock of both.

const API_KEY = "e2e-locations-api-key";
const API_SECRET = "e2e-locations-api-secret-0123456789";
const SHOP = "birch-and-bloom.myshopify.com";
const SLOW = { timeout: 30_000, interval: 250 };

const admin = setUpEmulatedAdmin({ apiKey: API_KEY, apiSecret: API_SECRET });

const connection = () => prisma.merchantConnection.findUniqueOrThrow({ where: { shop: SHOP } });

describe("choosing the marketplace's locations inside the emulated Shopify admin", () => {
  it("shows the shop's locations, assigns a second one, and the stock of both is read again", async () => {
    await admin.page.goto(admin.stack.emulator.adminUrl(SHOP));
    await expect.poll(() => prisma.merchantConnection.count({ where: { shop: SHOP } }), SLOW).toBe(1);
    await prisma.merchantConnection.update({ where: { shop: SHOP }, data: { approvalStatus: "APPROVED" } });
    // One listed product, as the product sync would have left it; its item is stocked at both locations.
    const [product] = admin.stack.emulator.control.listProducts({ shop: SHOP, limit: 1 });
    const variant = product.variants[0];
    await prisma.product.create({
      data: {
        shop: SHOP,
        id: product.legacyResourceId,
        title: product.title,
        status: "ACTIVE",
        selected: true,
        listed: true,
      },
    });
    await prisma.productVariant.create({
      data: {
        shop: SHOP,
        id: variant.legacyResourceId,
        productId: product.legacyResourceId,
        price: "10",
        inventoryItemId: BigInt(variant.inventoryItemId.split("/").pop()!),
      },
    });
    const bothLocationsStock = variant.inventory.reduce((sum, level) => sum + level.available, 0);
    await admin.page.reload();
    await admin.app.getByText("Approved", { exact: true }).first().waitFor();

    await admin.page.locator("#app-nav a", { hasText: "Locations" }).click();
    await admin.app.getByRole("heading", { name: "Locations for the marketplace" }).waitFor();
    await expect
      .poll(() => admin.app.getByTestId("locations-current").textContent(), SLOW)
      .toBe("Now: your primary location.");
    await admin.app.getByLabel("Main warehouse (primary)").check({ force: true });
    await admin.app.getByLabel("Pop-up store").check({ force: true });
    await screenshot(admin.page, "30-locations-two-chosen");

    await admin.app.getByRole("button", { name: "Save locations" }).click();

    await expect.poll(() => admin.app.getByTestId("locations-outcome").textContent(), SLOW).toMatch(/being read/);
    const both = admin.stack.emulator.control
      .getShop({ shop: SHOP })
      .locations.map((l) => l.legacyResourceId)
      .sort((a, b) => a - b);
    expect((await connection()).marketplaceLocationIds.map(Number)).toEqual(both);
    await expect
      .poll(() => admin.app.getByTestId("locations-current").textContent(), SLOW)
      .toBe("Now: Main warehouse, Pop-up store.");
    // The reconciliation queued by the change runs, reads both locations, and the variant sells their sum.
    await expect
      .poll(
        async () =>
          (
            await prisma.productVariant.findUniqueOrThrow({
              where: { shop_id: { shop: SHOP, id: variant.legacyResourceId } },
            })
          ).availableQuantity,
        { timeout: 120_000, interval: 1000 },
      )
      .toBe(bothLocationsStock);
    const reconciled = async () =>
      (await prisma.syncEvent.findMany({ where: { shop: SHOP, eventType: "INVENTORY_SYNC", status: "SUCCESS" } })).map(
        (e) => e.metadata as { mode?: string; locationIds?: string[] },
      );
    await expect
      .poll(async () => (await reconciled()).find((m) => m.mode === "reconcile")?.locationIds?.map(Number), SLOW)
      .toEqual(both);
    await screenshot(admin.page, "31-locations-saved");
    expect(admin.errors).toEqual([]);
  }, 300_000);
});
