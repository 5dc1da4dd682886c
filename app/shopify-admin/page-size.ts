import { ShopifyGraphqlError } from "./errors";

// Page sizes taken from what Shopify says a page costs, not only from our own arithmetic: a single query may cost
// at most 1,000 points (MAX_COST_EXCEEDED above that, nothing executed), and Shopify's reckoning can differ from the
// emulator's or change between versions. After each page the next size is the largest the reported cost per node
// allows; a page refused with MAX_COST_EXCEEDED is asked again smaller, never failed.

export const MAX_SINGLE_QUERY_COST = 1_000;
export const MAX_PAGE_SIZE = 250;

export function isMaxCostExceeded(error: unknown): error is ShopifyGraphqlError {
  return error instanceof ShopifyGraphqlError && error.codes.includes("MAX_COST_EXCEEDED");
}

export class CostAwarePageSize {
  private size: number;

  constructor(
    initial: number,
    private readonly max: number = MAX_PAGE_SIZE,
  ) {
    this.size = Math.max(1, Math.min(initial, max));
  }

  get current(): number {
    return this.size;
  }

  /**
   * A page of `first` nodes was priced `requestedCost`. The fixed part of the query is folded into the per-node
   * cost, so the new size errs on the small side: size x (cost / first) <= 1,000.
   */
  observe(first: number, requestedCost: number | null): void {
    if (requestedCost === null || requestedCost <= 0 || first <= 0) return;
    this.size = clamp(Math.floor((MAX_SINGLE_QUERY_COST * first) / requestedCost), 1, this.max);
  }

  /**
   * A page of `first` nodes was refused with MAX_COST_EXCEEDED at `cost` (unknown: halve). False when a page of one
   * is already too dear: the query itself must change.
   */
  shrink(first: number, cost: number | null | undefined): boolean {
    if (first <= 1) return false;
    const scaled =
      cost && cost > MAX_SINGLE_QUERY_COST
        ? Math.floor((MAX_SINGLE_QUERY_COST * first) / cost) - 1
        : Math.floor(first / 2);
    this.size = clamp(Math.min(scaled, first - 1), 1, this.max);
    return true;
  }
}

/** Requests one page at the current size, shrinking and asking again while Shopify answers MAX_COST_EXCEEDED. */
export async function requestSizedPage<T>(
  pageSize: CostAwarePageSize,
  send: (first: number) => Promise<T>,
  lastRequestedCost: () => number | null,
): Promise<{ data: T; first: number; shrunk: number }> {
  let shrunk = 0;
  for (;;) {
    const first = pageSize.current;
    try {
      const data = await send(first);
      pageSize.observe(first, lastRequestedCost());
      return { data, first, shrunk };
    } catch (error) {
      if (
        !isMaxCostExceeded(error) ||
        !pageSize.shrink(first, error.errors.find((e) => e.code === "MAX_COST_EXCEEDED")?.cost)
      )
        throw error;
      shrunk++;
    }
  }
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
