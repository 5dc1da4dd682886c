import type { FindingOutcome } from "@prisma/client";
import { z } from "zod";
import { prisma } from "~/db.server";

// The findings page: by shop and check (filters in the URL), unresolved by default, the ones flagged for a person
// first (a repaired finding is a record; a flagged one is work).

const PAGE_SIZE = 200;

export const findingsQuery = z.object({
  shop: z.string().trim().max(255).optional().catch(undefined).transform((v) => v || undefined),
  check: z.string().trim().max(100).optional().catch(undefined).transform((v) => v || undefined),
  resolution: z.enum(["unresolved", "resolved", "all"]).catch("unresolved").default("unresolved"),
});
export type FindingsQuery = z.infer<typeof findingsQuery>;

/** A finding id as a form sends it (a bigint). */
export const findingId = z.string().trim().regex(/^\d{1,18}$/, "must be a finding id (digits)");

export interface FindingListItem {
  id: string;
  runId: string;
  shop: string;
  check: string;
  entityType: string;
  entityId: string | null;
  outcome: FindingOutcome;
  message: string | null;
  before: unknown;
  after: unknown;
  createdAt: Date;
  resolvedAt: Date | null;
  resolvedBy: string | null;
}

export async function listFindings({ shop, check, resolution }: FindingsQuery) {
  const where = {
    ...(shop ? { shop } : {}),
    ...(check ? { check } : {}),
    ...(resolution === "all" ? {} : { resolvedAt: resolution === "resolved" ? { not: null } : null }),
  };
  const [flagged, others, checks, shops] = await Promise.all([
    prisma.integrityFinding.findMany({ where: { ...where, outcome: "FLAGGED" }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: PAGE_SIZE + 1 }),
    prisma.integrityFinding.findMany({
      where: { ...where, outcome: { not: "FLAGGED" } },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: PAGE_SIZE + 1,
    }),
    prisma.integrityFinding.findMany({ distinct: ["check"], select: { check: true }, orderBy: { check: "asc" } }),
    prisma.integrityFinding.findMany({ distinct: ["shop"], select: { shop: true }, orderBy: { shop: "asc" } }),
  ]);
  const rows = [...flagged, ...others];
  const findings: FindingListItem[] = rows.slice(0, PAGE_SIZE).map((f) => ({
    ...f,
    id: f.id.toString(),
    entityId: f.entityId?.toString() ?? null,
  }));
  return {
    findings,
    truncated: rows.length > PAGE_SIZE,
    checks: checks.map((c) => c.check),
    shops: shops.map((s) => s.shop),
  };
}
