import type { ThrottleStatus } from "~/shopify-admin/throttle-budget";

// How many of a shop's API points one verification run may spend: a share (VERIFICATION_BUDGET_SHARE) of what the
// shop's bucket restores over one verification period (the sync kind's hourly schedule). The shop's rate is Shopify's
// own figure (throttleStatus.restoreRate, which differs by plan), so it is known once the first answer is in: the first
// request is small (VERIFY_FIRST_REQUEST_IDS). Each further request asks as many ids as the rest of the allowance
// holds at the requested cost per id Shopify last reported (what Shopify charges up front), after what was spent so far
// (actualQueryCost, as the client reports it): spent + the next request's requested cost never exceeds the allowance.

/** The verification kind runs hourly (app/jobs/sync-kinds.ts: "20 * * * *"). */
export const VERIFICATION_PERIOD_MS = 60 * 60 * 1000;
/** Ids in the first request of a run, before the shop's rate is known. */
export const VERIFY_FIRST_REQUEST_IDS = 5;

export class VerificationBudget {
  private allowance: number | null = null;
  private spent = 0;

  constructor(
    private readonly share: number,
    private readonly periodMs: number = VERIFICATION_PERIOD_MS,
  ) {}

  /** The first answer's throttle status sets the allowance (later ones do not move it: one run, one budget). */
  observe(status: ThrottleStatus | null): void {
    if (this.allowance !== null || !status) return;
    this.allowance = Math.floor(this.share * status.restoreRate * (this.periodMs / 1000));
  }

  /** Points one answer actually cost. */
  spend(points: number): void {
    this.spent += points;
  }

  /** How many units of `unitCost` points the rest of the allowance holds (unknown allowance: no limit yet). */
  affordableUnits(unitCost: number): number {
    if (this.allowance === null) return this.spent === 0 ? Infinity : 0;
    if (unitCost <= 0) return Infinity;
    return Math.floor((this.allowance - this.spent) / unitCost);
  }

  get points(): { spent: number; allowance: number | null } {
    return { spent: this.spent, allowance: this.allowance };
  }
}
