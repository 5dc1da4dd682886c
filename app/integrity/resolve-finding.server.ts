import { prisma } from "~/db.server";

/**
 * Marks a finding resolved by a person (or a process, e.g. "integrity-check"). Resolving twice keeps the first
 * resolution. With `shop`, only that shop's finding can be resolved (the merchant UI passes its session's shop).
 * Returns the finding, or null when there is none (of that shop).
 */
export async function resolveFinding(id: bigint | number | string, by: string, options: { shop?: string; now?: Date } = {}) {
  const findingId = BigInt(id);
  await prisma.integrityFinding.updateMany({
    where: { id: findingId, resolvedAt: null, ...(options.shop ? { shop: options.shop } : {}) },
    data: { resolvedAt: options.now ?? new Date(), resolvedBy: by },
  });
  return prisma.integrityFinding.findFirst({
    where: { id: findingId, ...(options.shop ? { shop: options.shop } : {}) },
  });
}
