import { createHmac, randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import http from "node:http";
import https from "node:https";
import { SHOPIFY_API_VERSION } from "../app/shopify-admin/api-version";

/**
 * Shopify's limits for an HTTPS delivery: the app has one second to accept the connection and five seconds for the
 * whole request, or the delivery failed ("Respond with a 200 OK, quickly",
 * https://shopify.dev/docs/apps/build/webhooks/subscribe/https). A slow answer is therefore redelivered: the app has
 * already seen it, and sees it again with the same X-Shopify-Webhook-Id.
 */
export const SHOPIFY_WEBHOOK_CONNECT_TIMEOUT_MS = 1_000;
export const SHOPIFY_WEBHOOK_TIMEOUT_MS = 5_000;
/** How an attempt the app did not accept a connection for in time is logged (then the limit, in ms). */
export const CONNECT_TIMEOUT_ERROR = "connection not accepted within";

const SHOPIFY_RETRIES = 8;
const SHOPIFY_RETRY_WINDOW_MS = 4 * 3_600_000;

/**
 * A failed delivery "will now be retried a total of 8 times over 4 hours using an exponential backoff schedule"
 * (https://shopify.dev/changelog/updates-to-webhook-retry-mechanism). Shopify publishes no intervals: here each
 * delay doubles the one before and the eight add up to the four hours (56 s, 1.9 min, 3.8 min ... 2 h). `scale`
 * compresses them as SCHEDULE_TIME_SCALE compresses the app's schedules (the soak runs both at 60).
 */
export function shopifyRetryDelaysMs(scale = 1): number[] {
  const unit = SHOPIFY_RETRY_WINDOW_MS / (2 ** SHOPIFY_RETRIES - 1);
  return Array.from({ length: SHOPIFY_RETRIES }, (_, i) => Math.round((unit * 2 ** i) / scale));
}

export interface WebhookAttempt {
  at: string;
  /** The HTTP status answered; null when nothing answered in time (or the connection failed). */
  status: number | null;
  timedOut: boolean;
  error?: string;
}

export interface WebhookDelivery {
  id: string;
  eventId: string;
  topic: string;
  shop: string;
  url: string | null;
  // HTTP status of the last attempt; null when nothing answered (or no appUrl was configured).
  status: number | null;
  attempts: number;
  /** Every attempt, first to last: the first send, Shopify's retries and any duplicate a release sent. */
  attemptLog: WebhookAttempt[];
  /** The last attempt got no answer within the timeout (or no connection within the connect timeout). */
  timedOut?: boolean;
  error?: string;
  payload: unknown;
  triggeredAt: string;
  /** When the next retry goes out, while one is scheduled. */
  nextAttemptAt?: string;
  /** Every attempt failed, the last retry too: Shopify stops trying (and may remove the subscription). Lost. */
  gaveUp?: boolean;
  /** A retry was still scheduled when the emulator stopped: neither delivered nor given up. */
  stoppedBeforeRetry?: boolean;
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

/** How deliveries are timed: Shopify's by default; tests and the time-compressed soak pass their own. */
export interface WebhookDeliveryPolicy {
  /** The whole request, connection to the end of the answer (default Shopify's 5 s). */
  timeoutMs?: number;
  /** Until the app accepts the connection (default Shopify's 1 s). */
  connectTimeoutMs?: number;
  /** The delay before each retry, in order (default shopifyRetryDelaysMs(): 8 over 4 hours); [] never retries. */
  retryDelaysMs?: readonly number[];
  /**
   * How a retry waits its delay. Default a timer. Tests pass one that returns at once (no real waiting); it is
   * given a signal that aborts when the emulator stops, and a retry that is still waiting then is not sent.
   */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface WebhookSenderOptions extends WebhookDeliveryPolicy {
  appUrl?: string;
  apiSecret: string;
  webhookPath: (topic: string) => string;
  nowMs: () => number;
}

export function webhookHmac(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("base64");
}

/** Shopify counts only a 2xx as received: "any response outside of the 200 range, including 3XX" is an error. */
export const accepted = (status: number | null) => status !== null && status >= 200 && status < 300;

/** The real wait between retries (tests inject their own). */
export function timerWait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    // The listener goes when the timer fires: a soak's thousands of retries would otherwise pile up on the signal.
    const onStop = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onStop);
      resolve();
    }, ms);
    signal.addEventListener("abort", onStop, { once: true });
  });
}

// POSTs webhooks to the app the way Shopify does: raw JSON body, HMAC over it with the app's secret, Shopify's
// headers, Shopify's timeouts, and Shopify's retries of a failed delivery (any answer outside 2xx, a timeout, a
// refused connection) with the same webhook id, event id and triggered-at.
export class WebhookSender {
  readonly deliveries: WebhookDelivery[] = [];
  /** Each delivery sent and not yet settled (answered 2xx, given up, or stopped), its retries included. */
  private readonly inFlight = new Set<Promise<void>>();
  private readonly modes = new Map<string, WebhookMode>();
  private held: Array<{ delivery: WebhookDelivery; body: string }> = [];
  private readonly stopping = new AbortController();
  private readonly agents = {
    "http:": new http.Agent({ keepAlive: true }),
    "https:": new https.Agent({ keepAlive: true }),
  };

  constructor(private readonly options: WebhookSenderOptions) {
    // Every retry waiting for its time listens for the stop: a burst has hundreds at once, none of them a leak.
    setMaxListeners(0, this.stopping.signal);
  }

  // The demo learns the app's URL only after the app has started.
  setAppUrl(appUrl: string | undefined): void {
    this.options.appUrl = appUrl;
  }

  /** The app's base URL as last set (the admin frame opens the app there too). */
  appUrl(): string | undefined {
    return this.options.appUrl;
  }

  /** Resolves once the first attempt is answered (or dropped, held): a retry it needs goes on in the background. */
  send(
    shop: string,
    topic: string,
    payload: unknown,
    extra: { eventId?: string; webhookId?: string } = {},
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
      attemptLog: [],
      payload,
      triggeredAt: new Date(this.options.nowMs()).toISOString(),
    };
    this.deliveries.push(delivery);
    const mode = this.modes.get(shop) ?? "deliver";
    if (mode === "drop") {
      delivery.dropped = true;
      return Promise.resolve(delivery);
    }
    if (mode === "hold") {
      delivery.held = true;
      this.held.push({ delivery, body });
      return Promise.resolve(delivery);
    }
    return this.deliver(delivery, body);
  }

  setMode(shop: string, mode: WebhookMode): void {
    this.modes.set(shop, mode);
  }

  /**
   * Sends the held webhooks (of one shop, or all) one after another, in the order asked; resolves when each has had
   * its first answer. A duplicate is one more attempt of the same delivery (it retries nothing of its own).
   */
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
    for (const { delivery, body } of ordered) {
      delivery.held = false;
      await this.deliver(delivery, body);
    }
    if (options.duplicate) for (const { delivery, body } of ordered) await this.attempt(delivery, body);
    return ordered.map((h) => h.delivery);
  }

  /** Until no delivery is in flight: every one sent has been answered 2xx or given up, its retries included. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Cancels the retries still waiting (nothing keeps the process alive), lets the attempts under way end. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.idle();
    for (const agent of Object.values(this.agents)) agent.destroy();
  }

  /** Starts a delivery: its first attempt, then its retries until one is answered 2xx or the schedule ends. */
  private deliver(delivery: WebhookDelivery, body: string): Promise<WebhookDelivery> {
    if (!delivery.url) return Promise.resolve(delivery);
    let firstAnswered!: () => void;
    const first = new Promise<void>((resolve) => (firstAnswered = resolve));
    const settled = this.deliverWithRetries(delivery, body, firstAnswered).finally(() => {
      firstAnswered();
      this.inFlight.delete(settled);
    });
    this.inFlight.add(settled);
    return first.then(() => delivery);
  }

  private async deliverWithRetries(delivery: WebhookDelivery, body: string, firstAnswered: () => void) {
    const delays = this.options.retryDelaysMs ?? shopifyRetryDelaysMs();
    if (this.stopping.signal.aborted) {
      delivery.error = "not sent: the emulator stopped";
      return;
    }
    await this.attempt(delivery, body);
    firstAnswered();
    for (const delay of delays) {
      if (accepted(delivery.status)) return;
      delivery.nextAttemptAt = new Date(this.options.nowMs() + delay).toISOString();
      const waited = await this.waitForRetry(delay);
      delete delivery.nextAttemptAt;
      if (!waited) {
        delivery.stoppedBeforeRetry = true;
        return;
      }
      if (accepted(delivery.status)) return; // a duplicate sent meanwhile was accepted
      await this.attempt(delivery, body);
    }
    if (!accepted(delivery.status)) delivery.gaveUp = true;
  }

  /** Whether the delay ran out (false: the emulator stopped first). */
  private waitForRetry(ms: number): Promise<boolean> {
    const { signal } = this.stopping;
    if (signal.aborted) return Promise.resolve(false);
    const wait = this.options.wait ?? timerWait;
    return new Promise((resolve) => {
      const onStop = () => resolve(false);
      signal.addEventListener("abort", onStop, { once: true });
      void wait(ms, signal)
        .catch(() => undefined)
        .then(() => {
          signal.removeEventListener("abort", onStop);
          resolve(!signal.aborted);
        });
    });
  }

  /** One POST, recorded on the delivery. */
  private async attempt(delivery: WebhookDelivery, body: string): Promise<void> {
    if (!delivery.url) return;
    const { topic, shop } = delivery;
    const headers = {
      "Content-Type": "application/json",
      "Content-Length": String(Buffer.byteLength(body)),
      "X-Shopify-Topic": topic,
      "X-Shopify-Shop-Domain": shop,
      "X-Shopify-Hmac-Sha256": webhookHmac(body, this.options.apiSecret),
      "X-Shopify-Webhook-Id": delivery.id,
      "X-Shopify-Event-Id": delivery.eventId,
      "X-Shopify-Triggered-At": delivery.triggeredAt,
      "X-Shopify-API-Version": SHOPIFY_API_VERSION,
      "User-Agent": "Shopify-Captain-Hook",
    };
    delivery.attempts++;
    const at = new Date(this.options.nowMs()).toISOString();
    const result = await this.post(new URL(delivery.url), headers, body);
    delivery.status = result.status;
    delivery.timedOut = result.timedOut;
    if (result.error) delivery.error = result.error;
    else delete delivery.error;
    delivery.attemptLog.push({ at, ...result });
    if (accepted(result.status)) delete delivery.gaveUp; // a late duplicate of a given-up delivery did arrive
  }

  // node:http rather than fetch: Shopify's two limits are the connection's and the whole request's, and fetch has
  // no connect timeout of its own.
  private post(url: URL, headers: Record<string, string>, body: string): Promise<Omit<WebhookAttempt, "at">> {
    const timeoutMs = this.options.timeoutMs ?? SHOPIFY_WEBHOOK_TIMEOUT_MS;
    const connectTimeoutMs = this.options.connectTimeoutMs ?? SHOPIFY_WEBHOOK_CONNECT_TIMEOUT_MS;
    return new Promise((resolve) => {
      const transport = url.protocol === "https:" ? https : http;
      const request = transport.request(url, {
        method: "POST",
        headers,
        agent: this.agents[url.protocol === "https:" ? "https:" : "http:"],
      });
      const timers: NodeJS.Timeout[] = [];
      let done = false;
      const finish = (result: Omit<WebhookAttempt, "at">) => {
        if (done) return;
        done = true;
        timers.forEach(clearTimeout);
        resolve(result);
      };
      // Past a limit the attempt has failed: the connection is cut, as Shopify hangs up on a slow app.
      const giveUp = (error: string) => {
        finish({ status: null, timedOut: true, error });
        request.destroy();
      };
      timers.push(setTimeout(() => giveUp(`no answer within ${timeoutMs} ms`), timeoutMs));
      request.on("socket", (socket) => {
        if (!socket.connecting) return; // a kept-alive connection, already accepted
        const connectTimer = setTimeout(
          () => giveUp(`${CONNECT_TIMEOUT_ERROR} ${connectTimeoutMs} ms`),
          connectTimeoutMs,
        );
        timers.push(connectTimer);
        socket.once("connect", () => clearTimeout(connectTimer));
      });
      request.on("response", (response) => {
        response.resume();
        response.on("end", () => finish({ status: response.statusCode ?? null, timedOut: false }));
        response.on("error", (error) => finish({ status: null, timedOut: false, error: error.message }));
      });
      request.on("error", (error) => finish({ status: null, timedOut: false, error: error.message }));
      request.end(body);
    });
  }
}
