import { prisma } from "~/db.server";

/**
 * Stops everything for a shop that uninstalled the app (or whose token was revoked): the connection goes inactive,
 * so the fan-outs skip it, and its sessions are deleted, since their tokens no longer work. Its data stays.
 */
export async function deactivateConnection(shop: string, at: Date = new Date()) {
  await prisma.$transaction([
    prisma.merchantConnection.updateMany({
      where: { shop, active: true },
      data: { active: false, uninstalledAt: at },
    }),
    prisma.session.deleteMany({ where: { shop } }),
  ]);
}
