import { recordAdminAction } from "~/admin-actions/record-admin-action.server";
import { prisma } from "~/db.server";
import { DomainError } from "~/lib/domain-error";

/**
 * Marks a finding resolved by a person (or a process, e.g. "integrity-check"). Resolving twice keeps the first
 * resolution. With `shop`, only that shop's finding can be resolved (the merchant UI passes its session's shop).
 * Returns the finding, or null when there is none (of that shop).
 */
export async function resolveFinding(
  id: bigint | number | string,
  by: string,
  options: { shop?: string; now?: Date } = {},
) {
  const findingId = BigInt(id);
  await prisma.integrityFinding.updateMany({
    where: { id: findingId, resolvedAt: null, ...(options.shop ? { shop: options.shop } : {}) },
    data: { resolvedAt: options.now ?? new Date(), resolvedBy: by },
  });
  return prisma.integrityFinding.findFirst({
    where: { id: findingId, ...(options.shop ? { shop: options.shop } : {}) },
  });
}

/** An operator's resolve from the findings page, recorded with who did it: what was done, or a DomainError. */
export async function resolveFindingRequest(id: string, by: string, now: Date = new Date()): Promise<string> {
  const finding = await resolveFinding(id, by, { now });
  if (!finding) throw new DomainError("FINDING_NOT_FOUND", `There is no finding #${id}.`, { findingId: id });
  // resolveFinding keeps an earlier resolution: a different time means someone (maybe this admin) resolved it before.
  if (finding.resolvedAt?.getTime() !== now.getTime()) {
    throw new DomainError(
      "FINDING_ALREADY_RESOLVED",
      `Finding #${id} was already resolved by ${finding.resolvedBy ?? "someone"}.`,
      { findingId: id },
    );
  }
  await recordAdminAction({
    adminEmail: by,
    action: "resolve-finding",
    shop: finding.shop,
    details: { findingId: id },
  });
  return `Finding #${id} (${finding.check}, ${finding.shop}) resolved.`;
}
