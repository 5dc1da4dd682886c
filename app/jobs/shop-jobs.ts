import { createHash } from "node:crypto";
import { z } from "zod";
import type { ShopSyncTask } from "./task-names";

// What identifies a per-shop job, shared by the fan-outs, "sync now" buttons and webhooks.

export const shopDomain = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "must be a myshopify.com domain such as example.myshopify.com");

export const shopJobPayload = z.object({
  shop: shopDomain,
  reason: z.enum(["schedule", "manual", "webhook", "follow-up"]).default("schedule"),
  /** The operator who asked for a manual run (shown on the jobs page). */
  requestedBy: z.string().optional(),
});
export type ShopJobPayload = z.infer<typeof shopJobPayload>;

/** One pending job per shop and kind: graphile-worker replaces a pending job with the same key. */
export function shopJobKey(task: ShopSyncTask, shop: string): string {
  return `${task}:${shop}`;
}

/** The enqueue options of a shop's sync: its key, replacing a pending job of the same kind rather than adding one. */
export function shopJobOptions(task: ShopSyncTask, shop: string) {
  return { jobKey: shopJobKey(task, shop), jobKeyMode: "replace" as const };
}

/**
 * Where in the spread window a shop's job runs: derived from a hash of the shop and the task, so it is the same
 * every day (a merchant's sync time does not wander) and different shops land evenly across the window.
 */
export function stableOffsetMs(task: ShopSyncTask, shop: string, windowMs: number): number {
  if (windowMs <= 0) return 0;
  const digest = createHash("sha256").update(`${task}:${shop}`).digest();
  const fraction = digest.readUIntBE(0, 6) / 2 ** 48;
  return Math.floor(fraction * windowMs);
}
