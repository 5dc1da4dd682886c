import { describe, expect, it } from "vitest";
import type { WebhookAttempt, WebhookDelivery } from "../../emulator/webhook-sender";
import { webhookArrived, webhookArrivedOnRetry, webhookLost, type Change } from "../../scripts/lib/soak/changes";
import { summariseChanges } from "../../scripts/lib/soak/report";

// The soak's webhook accounting: a change's webhook is lost only when each of its deliveries was dropped or given
// up after Shopify's last retry; one that arrived on a retry arrived; one still being retried is neither.

const attempt = (status: number | null, timedOut = false): WebhookAttempt => ({ at: "", status, timedOut });

function delivery(attempts: WebhookAttempt[], extra: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return {
    id: "w",
    eventId: "e",
    topic: "products/update",
    shop: "s",
    url: "http://app",
    status: attempts.at(-1)?.status ?? null,
    attempts: attempts.length,
    attemptLog: attempts,
    payload: {},
    triggeredAt: "",
    ...extra,
  };
}

let nextId = 1;
const change = (deliveries: WebhookDelivery[], shown = true): Change => ({
  id: nextId++,
  shop: "s",
  kind: "price",
  expect: { fact: "price", variantId: nextId, price: "1.00", compareAtPrice: null },
  madeAt: 0,
  deliveries,
  ...(shown ? { truthAt: 1_000, shownIn: "life" as const } : {}),
});

describe("the soak's webhook accounting", () => {
  const atOnce = change([delivery([attempt(200)])]);
  const onRetry = change([delivery([attempt(503), attempt(null, true), attempt(200)])]);
  const dropped = change([delivery([], { dropped: true })]);
  const gaveUp = change(
    [
      delivery(
        Array.from({ length: 9 }, () => attempt(500)),
        { gaveUp: true },
      ),
    ],
    false,
  );
  const retrying = change([delivery([attempt(500)], { nextAttemptAt: "later" })], false);

  it("arrived at once or on a retry; lost when dropped or given up; a delivery being retried is in flight", () => {
    expect([atOnce, onRetry, dropped, gaveUp, retrying].map(webhookArrived)).toEqual([true, true, false, false, false]);
    expect([atOnce, onRetry, dropped, gaveUp, retrying].map(webhookArrivedOnRetry)).toEqual([
      false,
      true,
      false,
      false,
      false,
    ]);
    expect([atOnce, onRetry, dropped, gaveUp, retrying].map(webhookLost)).toEqual([false, false, true, true, false]);
  });

  it("the report counts them so", () => {
    const summary = summariseChanges([atOnce, onRetry, dropped, gaveUp, retrying]);
    expect(summary.webhookLost).toMatchObject({ count: 2, repairedBeforeCycle: 1, notRepaired: 1 });
    expect(summary.webhookArrivedOnRetry).toBe(1);
    expect(summary.webhookInFlight).toBe(1);
    expect(summary.timeToTruth.webhookArrived.count).toBe(2);
  });
});
