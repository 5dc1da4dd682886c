import type { RateLimit } from "./plans";

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

// Shopify's per app-and-shop limiter: points leak back at restoreRate per second up to maximumAvailable; a
// query is admitted only when its whole requested cost is available.
export class LeakyBucket {
  private available: number;
  private updatedAt: number;

  constructor(
    private limit: RateLimit,
    private readonly nowMs: () => number,
  ) {
    this.available = limit.maximumAvailable;
    this.updatedAt = nowMs();
  }

  setLimit(limit: RateLimit): void {
    this.restore();
    this.limit = limit;
    this.available = Math.min(this.available, limit.maximumAvailable);
  }

  tryTake(cost: number): boolean {
    this.restore();
    if (cost > this.available) return false;
    this.available -= cost;
    return true;
  }

  refund(points: number): void {
    this.restore();
    this.available = Math.min(this.limit.maximumAvailable, this.available + points);
  }

  drain(points = Number.POSITIVE_INFINITY): void {
    this.restore();
    this.available = Math.max(0, this.available - points);
  }

  status(): ThrottleStatus {
    this.restore();
    return {
      maximumAvailable: this.limit.maximumAvailable,
      currentlyAvailable: Math.floor(this.available),
      restoreRate: this.limit.restoreRate,
    };
  }

  private restore(): void {
    const now = this.nowMs();
    const elapsedSeconds = Math.max(0, now - this.updatedAt) / 1000;
    this.updatedAt = now;
    this.available = Math.min(this.limit.maximumAvailable, this.available + elapsedSeconds * this.limit.restoreRate);
  }
}
