import { BODY_LIMITS, readBodyWithin, withBody } from "~/lib/request-body.server";
import { authenticate, verifyWebhook, type VerifiedWebhook } from "~/shopify.server";
import { logger } from "~/lib/logger.server";

// Every webhook route starts here: the body is read within BODY_LIMITS.webhook (413 past it, before anything is
// buffered), authenticate.webhook verifies its HMAC (401 otherwise), and a delivery older than Shopify's retry window
// is acknowledged and otherwise ignored.
//
// Why the window: Shopify retries a failed delivery 8 times over 4 hours with the original payload and
// X-Shopify-Triggered-At (https://shopify.dev/changelog/updates-to-webhook-retry-mechanism), so nothing genuine is
// older than that; an older one is a captured delivery sent again (a new X-Shopify-Webhook-Id defeats the
// de-duplication). Why 200 and not 4xx: a refusal makes Shopify retry, and repeated failures can remove an API-created
// subscription; acknowledging costs nothing and does nothing. The timestamp header is not covered by the HMAC, so the
// window only stops replays that keep it; what makes any replay harmless is that a product webhook never overwrites
// newer data (app/sync/apply-product-webhook.server.ts compares the payload's own updated_at, which is signed).

/** Shopify's retry window, and a margin for clock skew between Shopify and this server. */
export const WEBHOOK_MAX_AGE_MS = 4 * 60 * 60 * 1000 + 15 * 60 * 1000;

/** True when X-Shopify-Triggered-At is missing, unreadable or older than WEBHOOK_MAX_AGE_MS (Shopify always sends it). */
export function isStaleDelivery(triggeredAt: string | undefined | null, now = new Date()): boolean {
  const at = triggeredAt ? Date.parse(triggeredAt) : Number.NaN;
  return Number.isNaN(at) || now.getTime() - at > WEBHOOK_MAX_AGE_MS;
}

export type AuthenticatedWebhook = Awaited<ReturnType<typeof authenticate.webhook>>;

/** The verified webhook; throws 413 (too large), 401 (bad HMAC) or an empty 200 (stale: do nothing). */
export async function authenticateWebhook(request: Request, now = new Date()): Promise<AuthenticatedWebhook> {
  const body = await readBodyWithin(request, BODY_LIMITS.webhook);
  return ignoreStale(await authenticate.webhook(withBody(request, body)), now);
}

/**
 * The same checks (size, HMAC, age) for a webhook handled without the Admin API: the shop's session is not loaded
 * (verifyWebhook in app/shopify.server.ts). The products/* routes, whose payload is the whole change.
 */
export async function verifyWebhookWithoutSession(request: Request, now = new Date()): Promise<VerifiedWebhook> {
  const body = await readBodyWithin(request, BODY_LIMITS.webhook);
  return ignoreStale(await verifyWebhook(withBody(request, body)), now);
}

function ignoreStale<Webhook extends Pick<VerifiedWebhook, "shop" | "topic" | "webhookId" | "triggeredAt">>(
  webhook: Webhook,
  now: Date,
): Webhook {
  if (isStaleDelivery(webhook.triggeredAt, now)) {
    logger.warn(
      { scope: "webhooks", shop: webhook.shop, topic: webhook.topic, webhookId: webhook.webhookId, outcome: "stale" },
      `ignored ${webhook.topic} for ${webhook.shop} (webhook ${webhook.webhookId}): triggered at ${webhook.triggeredAt ?? "(no header)"}, outside Shopify's retry window`,
    );
    throw new Response(null, { status: 200 });
  }
  return webhook;
}
