// The client's model of Shopify's leaky bucket for one shop, fed by every response's throttleStatus. Before a
// request it waits until the bucket should hold the request's expected cost, so a steady client is never
// THROTTLED and spends close to the restore rate.

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface ThrottleBudgetOptions {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  // Extra wait per shortfall, so rounding and clock differences land on the safe side.
  safetyMarginMs?: number;
}

export class ThrottleBudget {
  private observed: { status: ThrottleStatus; at: number } | null = null;
  // Expected cost of requests sent but not answered yet; the next observed status may not include them.
  private inFlight = 0;
  // Requests queue here so a burst is admitted one at a time in order, each seeing the previous reservations.
  private queue: Promise<void> = Promise.resolve();
  private readonly estimates = new Map<string, number>();

  constructor(private readonly options: ThrottleBudgetOptions) {}

  // The last requested cost Shopify reported for this document: the best guess for the next one.
  estimate(documentKey: string): number {
    return this.estimates.get(documentKey) ?? 0;
  }

  knows(documentKey: string): boolean {
    return this.estimates.has(documentKey);
  }

  learnCost(documentKey: string, requestedQueryCost: number): void {
    this.estimates.set(documentKey, requestedQueryCost);
  }

  observe(status: ThrottleStatus): void {
    this.observed = { status, at: this.options.now() };
  }

  available(): number | null {
    if (!this.observed) return null;
    const { status, at } = this.observed;
    const restored = ((this.options.now() - at) / 1000) * status.restoreRate;
    return Math.min(status.maximumAvailable, status.currentlyAvailable + restored) - this.inFlight;
  }

  // Waits (in queue order) until `cost` points should be available, reserves them, and returns how long it waited
  // plus the release to call when the response is in.
  async reserve(cost: number): Promise<{ waitedMs: number; release: () => void }> {
    let waitedMs = 0;
    const turn = this.queue.then(async () => {
      for (;;) {
        const available = this.available();
        const status = this.observed?.status;
        if (available === null || !status || cost <= available || cost > status.maximumAvailable) break;
        const shortfall = cost - available;
        const waitMs = Math.ceil((shortfall / status.restoreRate) * 1000) + (this.options.safetyMarginMs ?? 20);
        waitedMs += waitMs;
        await this.options.sleep(waitMs);
      }
      this.inFlight += cost;
    });
    this.queue = turn.catch(() => undefined);
    await turn;
    let released = false;
    return {
      waitedMs,
      release: () => {
        if (released) return;
        released = true;
        this.inFlight -= cost;
      },
    };
  }
}
