import { pgPool } from "../../app/db.server";

// What the coalescing webhook tests (products/*, inventory_levels/*) read back and how they reorder a burst.

/** How many of the shop's webhook receipts ended in each outcome ("pending": not applied yet). */
export async function receiptOutcomes(shop: string): Promise<Record<string, number>> {
  const { rows } = await pgPool().query<{ outcome: string; n: number }>(
    "SELECT coalesce(outcome, 'pending') AS outcome, count(*)::int AS n FROM webhook_delivery WHERE shop = $1 GROUP BY 1",
    [shop],
  );
  return Object.fromEntries(rows.map((r) => [r.outcome, r.n]));
}

/** A deterministic shuffle (no clock, no Math.random): the same seed, the same order. */
export function seededShuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
