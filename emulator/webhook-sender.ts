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
  /** Not sent: the shop's webhooks were dropped (setWebhookMode "drop"), or are held until released. */
  dropped?: boolean;
  held?: boolean;
}

/**
 * How a shop's webhooks go out. Shopify does not guarantee delivery, delivers at least once, and not in order:
 * "deliver" sends at once; "drop" loses them (a missed webhook); "hold" keeps them until `release`, which sends
 * them in any order, each possibly twice.
 */
export type WebhookMode = "deliver" | "drop" | "hold";

export interface ReleaseOptions {
  shop?: string;
  order?: "sent" | "reverse" | "shuffle";
  seed?: number;
  /** Every held webhook is delivered twice (same X-Shopify-Webhook-Id), the second after all the others. */
  duplicate?: boolean;
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
  private readonly modes = new Map<string, WebhookMode>();
  private held: Array<{ delivery: WebhookDelivery; body: string }> = [];

  constructor(private readonly options: WebhookSenderOptions) {}

  // The demo learns the app's URL only after the app has started.
  setAppUrl(appUrl: string | undefined): void {
    this.options.appUrl = appUrl;
  }

  /** The app's base URL as last set (the admin frame opens the app there too). */
  appUrl(): string | undefined {
    return this.options.appUrl;
  }

  send(
    shop: string,
    topic: string,
    payload: unknown,
    extra: { eventId?: string; webhookId?: string } = {},
  ): Promise<WebhookDelivery> {
    const promise = this.deliver(shop, topic, payload, extra);
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
    return promise;
  }

  setMode(shop: string, mode: WebhookMode): void {
    this.modes.set(shop, mode);
  }

  /** Sends the held webhooks (of one shop, or all) one after another, in the order asked; resolves when all answered. */
  async release(options: ReleaseOptions = {}): Promise<WebhookDelivery[]> {
    const taken = this.held.filter((h) => !options.shop || h.delivery.shop === options.shop);
    this.held = this.held.filter((h) => !taken.includes(h));
    let ordered = options.order === "reverse" ? [...taken].reverse() : [...taken];
    if (options.order === "shuffle") {
      let state = (options.seed ?? 1) >>> 0;
      const random = () => (state = (state * 1_664_525 + 1_013_904_223) >>> 0) / 2 ** 32;
      ordered = ordered
        .map((h) => ({ h, key: random() }))
        .sort((a, b) => a.key - b.key)
        .map((x) => x.h);
    }
    if (options.duplicate) ordered = [...ordered, ...ordered];
    for (const { delivery, body } of ordered) {
      delivery.held = false;
      await this.post(delivery, body);
    }
    return ordered.map((h) => h.delivery);
  }

  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(
    shop: string,
    topic: string,
    payload: unknown,
    extra: { eventId?: string; webhookId?: string },
  ): Promise<WebhookDelivery> {
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
    const mode = this.modes.get(shop) ?? "deliver";
    if (mode === "drop") {
      delivery.dropped = true;
      return delivery;
    }
    if (mode === "hold") {
      delivery.held = true;
      this.held.push({ delivery, body });
      return delivery;
    }
    return this.post(delivery, body);
  }

  private async post(delivery: WebhookDelivery, body: string): Promise<WebhookDelivery> {
    if (!delivery.url) return delivery;
    const { topic, shop } = delivery;
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
