import { createHmac, randomUUID } from "node:crypto";
import { SHOPIFY_API_VERSION } from "../app/shopify-admin/api-version";

export interface WebhookDelivery {
  id: string;
  eventId: string;
  topic: string;
  shop: string;
  url: string | null;
  // HTTP status of the last attempt; null when nothing answered (or no appUrl was configured).
  status: number | null;
  attempts: number;
  error?: string;
  payload: unknown;
  triggeredAt: string;
}

export interface WebhookSenderOptions {
  appUrl?: string;
  apiSecret: string;
  webhookPath: (topic: string) => string;
  nowMs: () => number;
  // Shopify retries for hours; the emulator retries a little so a test can see a redelivery without waiting.
  retries?: number;
  retryDelayMs?: number;
}

export function webhookHmac(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("base64");
}

// POSTs webhooks to the app the way Shopify does: raw JSON body, HMAC over it with the app's secret, Shopify's headers.
export class WebhookSender {
  readonly deliveries: WebhookDelivery[] = [];
  private readonly inFlight = new Set<Promise<WebhookDelivery>>();

  constructor(private readonly options: WebhookSenderOptions) {}

  // The demo learns the app's URL only after the app has started.
  setAppUrl(appUrl: string | undefined): void {
    this.options.appUrl = appUrl;
  }

  /** The app's base URL as last set (the admin frame opens the app there too). */
  appUrl(): string | undefined {
    return this.options.appUrl;
  }

  send(shop: string, topic: string, payload: unknown, extra: { eventId?: string; webhookId?: string } = {}): Promise<WebhookDelivery> {
    const promise = this.deliver(shop, topic, payload, extra);
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
    return promise;
  }

  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(shop: string, topic: string, payload: unknown, extra: { eventId?: string; webhookId?: string }): Promise<WebhookDelivery> {
    const body = JSON.stringify(payload);
    const delivery: WebhookDelivery = {
      id: extra.webhookId ?? randomUUID(),
      eventId: extra.eventId ?? randomUUID(),
      topic,
      shop,
      url: this.options.appUrl ? new URL(this.options.webhookPath(topic), this.options.appUrl).toString() : null,
      status: null,
      attempts: 0,
      payload,
      triggeredAt: new Date(this.options.nowMs()).toISOString(),
    };
    this.deliveries.push(delivery);
    if (!delivery.url) return delivery;
    const headers = {
      "Content-Type": "application/json",
      "X-Shopify-Topic": topic,
      "X-Shopify-Shop-Domain": shop,
      "X-Shopify-Hmac-Sha256": webhookHmac(body, this.options.apiSecret),
      "X-Shopify-Webhook-Id": delivery.id,
      "X-Shopify-Event-Id": delivery.eventId,
      "X-Shopify-Triggered-At": delivery.triggeredAt,
      "X-Shopify-API-Version": SHOPIFY_API_VERSION,
      "User-Agent": "Shopify-Captain-Hook",
    };
    const attempts = 1 + (this.options.retries ?? 2);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      delivery.attempts = attempt;
      try {
        const response = await fetch(delivery.url, { method: "POST", headers, body });
        await response.arrayBuffer();
        delivery.status = response.status;
        delete delivery.error;
        if (response.ok) break;
      } catch (error) {
        delivery.error = (error as Error).message;
      }
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 100));
    }
    return delivery;
  }
}
