import { prisma } from "~/db.server";

/** What a merchant sees of their own connection: never another shop's, since `shop` comes from their session. */
export async function getConnectionStatus(shop: string) {
  const connection = await prisma.merchantConnection.findUnique({
    where: { shop },
    select: {
      shop: true,
      active: true,
      approvalStatus: true,
      syncPaused: true,
      installedAt: true,
      lastProductSyncAt: true,
      lastInventorySyncAt: true,
      lastIntegrityCheckAt: true,
    },
  });
  return connection;
}

export type ConnectionStatus = NonNullable<Awaited<ReturnType<typeof getConnectionStatus>>>;
