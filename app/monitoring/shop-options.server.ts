import { prisma } from "~/db.server";

/** The merchants the monitor's merchant filter offers: every connected shop, by name. */
export async function listShopOptions(): Promise<Array<{ shop: string; name: string }>> {
  const connections = await prisma.merchantConnection.findMany({
    select: { shop: true, shopName: true },
    orderBy: { shop: "asc" },
  });
  return connections.map((c) => ({ shop: c.shop, name: c.shopName ?? c.shop }));
}
