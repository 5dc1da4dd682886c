// GraphQL Admin rate limits per plan (SHOPIFY.md): the bucket holds 20 seconds of restore.
export const PLAN_PRESETS = {
  STANDARD: { restoreRate: 100, maximumAvailable: 2_000, displayName: "Basic" },
  ADVANCED: { restoreRate: 200, maximumAvailable: 4_000, displayName: "Advanced" },
  PLUS: { restoreRate: 1_000, maximumAvailable: 20_000, displayName: "Shopify Plus" },
  ENTERPRISE: { restoreRate: 2_000, maximumAvailable: 40_000, displayName: "Commerce Components" },
} as const;

export type PlanName = keyof typeof PLAN_PRESETS;

export interface RateLimit {
  restoreRate: number;
  maximumAvailable: number;
}

// A custom limit lets quick tests and benchmarks drain a bucket in milliseconds instead of seconds.
export type PlanOption = PlanName | (RateLimit & { name?: string });

export interface ResolvedPlan extends RateLimit {
  name: string;
  displayName: string;
  shopifyPlus: boolean;
}

export function resolvePlan(plan: PlanOption | undefined): ResolvedPlan {
  if (plan === undefined) return resolvePlan("STANDARD");
  if (typeof plan === "string") {
    const preset = PLAN_PRESETS[plan];
    if (!preset) throw new Error(`Unknown plan ${plan}; use one of ${Object.keys(PLAN_PRESETS).join(", ")}`);
    return { name: plan, ...preset, shopifyPlus: plan === "PLUS" || plan === "ENTERPRISE" };
  }
  const name = plan.name ?? "CUSTOM";
  return {
    name,
    displayName: name,
    shopifyPlus: false,
    restoreRate: plan.restoreRate,
    maximumAvailable: plan.maximumAvailable,
  };
}
