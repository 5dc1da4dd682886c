import { beforeEach, describe, expect, it, vi } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import { recordInstall } from "../../app/merchants/record-install.server";
import { ShopifyHttpError } from "../../app/shopify-admin/errors";
import { PRIMARY_LOCATION_QUERY, SHOP_QUERY } from "../../app/shopify-admin/operations";
import { queuedJobs } from "../support/jobs";

// recordInstall with a stand-in Admin client: the cases the emulator-driven install test does not reach.

function shopifyAnswering(locationId: number | null) {
  return {
    request: vi.fn(async (document: string) => {
      if (document === SHOP_QUERY) return { shop: { name: "Stub Shop", plan: { publicDisplayName: "Advanced" } } };
      if (document === PRIMARY_LOCATION_QUERY)
        return { location: locationId === null ? null : { id: `gid://shopify/Location/${locationId}` } };
      throw new Error("unexpected document");
    }),
  } as unknown as Parameters<typeof recordInstall>[0]["admin"];
}

const failingShopify = {
  request: async () => {
    throw new ShopifyHttpError("down.myshopify.com", 503, "Service Unavailable");
  },
} as unknown as Parameters<typeof recordInstall>[0]["admin"];

beforeEach(async () => {
  await pgPool().query("DELETE FROM graphile_worker._private_jobs");
  await prisma.merchantConnection.deleteMany();
});

describe("recordInstall", () => {
  it("still creates the connection when Shopify cannot be read, and fills the details on the next authorization", async () => {
    const shop = "down.myshopify.com";
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const first = await recordInstall({ shop, admin: failingShopify });
    expect(errors).toHaveBeenCalledWith(
      expect.stringContaining("could not read the shop details of down.myshopify.com"),
    );
    errors.mockRestore();
    expect(first).toMatchObject({ kind: "installed", approvalStatus: "PENDING", defaultLocationId: null });
    expect(await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).toMatchObject({
      active: true,
      defaultLocationId: null,
    });

    const second = await recordInstall({ shop, admin: shopifyAnswering(77) });
    expect(second.kind).toBe("reauthorized");
    expect(await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).toMatchObject({
      defaultLocationId: 77n,
      shopName: "Stub Shop",
      plan: "Advanced",
    });
  });

  it("keeps the known default location when Shopify answers without one, and follows a new primary location", async () => {
    const shop = "moves.myshopify.com";
    await recordInstall({ shop, admin: shopifyAnswering(5) });
    await recordInstall({ shop, admin: shopifyAnswering(null) });
    expect((await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).defaultLocationId).toBe(5n);
    await recordInstall({ shop, admin: shopifyAnswering(9) });
    expect((await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).defaultLocationId).toBe(9n);
  });

  it("two installs of one shop at once make one connection", async () => {
    const shop = "racing.myshopify.com";
    const outcomes = await Promise.all([
      recordInstall({ shop, admin: shopifyAnswering(1) }),
      recordInstall({ shop, admin: shopifyAnswering(1) }),
    ]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(["installed", "reauthorized"]);
    expect(await prisma.merchantConnection.count({ where: { shop } })).toBe(1);
  });

  it("a suspended merchant who reinstalls stays suspended and is not synced", async () => {
    const shop = "suspended.myshopify.com";
    await recordInstall({ shop, admin: shopifyAnswering(1) });
    await prisma.merchantConnection.update({ where: { shop }, data: { approvalStatus: "SUSPENDED", active: false } });
    const outcome = await recordInstall({ shop, admin: shopifyAnswering(1) });
    expect(outcome).toMatchObject({ kind: "reinstalled", approvalStatus: "SUSPENDED", productSyncRequested: false });
    expect(await queuedJobs()).toHaveLength(0);
  });
});
