import { spawn } from "node:child_process";
import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import type { RunningEmulator, WebhookDeliveryPolicy } from "../../emulator/index";
import { shopifyRetryDelaysMs } from "../../emulator/index";
import { timerWait } from "../../emulator/webhook-sender";
import {
  createTestShop,
  startTestEmulator,
  startUnacceptingPort,
  startWebhookReceiver,
  type ReceiverAnswer,
} from "../support/emulator";

// The emulator delivers webhooks as unkindly as Shopify: an answer slower than 5 s (or a connection not accepted in
// 1 s) failed, and a failed delivery is retried 8 times over 4 hours, exponentially, with the same webhook id, event
// id, triggered-at and body; then it is given up (lost). Retries wait through an injected wait, never for real.

const running: Array<{ stop(): Promise<void> } | { close(): Promise<void> }> = [];
afterEach(async () => {
  for (const thing of running.splice(0).reverse()) await ("stop" in thing ? thing.stop() : thing.close());
});

/** A receiver answering each request in turn from `answers` (the last one from then on), and an emulator posting to it. */
async function setUp(answers: ReceiverAnswer[], policy: WebhookDeliveryPolicy = {}) {
  const receiver = await startWebhookReceiver((n) => answers[Math.min(n, answers.length - 1)]);
  running.push(receiver);
  const waits: number[] = [];
  const emulator = await startTestEmulator({
    appUrl: receiver.url,
    webhookDelivery: { wait: async (ms) => void waits.push(ms), ...policy },
  });
  running.push(emulator);
  const shop = createTestShop(emulator, { products: 1, variantsPerProduct: 1 });
  const [product] = emulator.control.listProducts({ shop: shop.domain });
  return { receiver, emulator, waits, shop: shop.domain, productId: product.id };
}

const send = (emulator: RunningEmulator, shop: string, productId: string) =>
  emulator.control.sendWebhook({ shop, topic: "products/update", productId });

describe("Shopify's retry schedule", () => {
  it("is 8 retries, each delay double the one before, over 4 hours; compressed by a time scale", () => {
    const delays = shopifyRetryDelaysMs();
    expect(delays).toHaveLength(8);
    delays.slice(1).forEach((delay, i) => expect(Math.abs(delay - 2 * delays[i])).toBeLessThanOrEqual(1));
    expect(Math.abs(delays.reduce((a, b) => a + b, 0) - 4 * 3_600_000)).toBeLessThanOrEqual(8);
    expect(shopifyRetryDelaysMs(60).reduce((a, b) => a + b, 0)).toBeCloseTo(4 * 60_000, -1);
  });
});

describe("a failed delivery", () => {
  it("a 5xx is retried on Shopify's schedule with the same ids and body; after the last retry it is given up", async () => {
    const { receiver, emulator, waits, shop, productId } = await setUp([500]);
    const first = await send(emulator, shop, productId);
    // send() answers after the first attempt; the retries go on and waitForWebhooks waits for them.
    expect(first.attempts).toBeGreaterThanOrEqual(1);
    await emulator.control.waitForWebhooks();

    expect(waits).toEqual(shopifyRetryDelaysMs());
    const [delivery] = emulator.control.webhookDeliveries({ shop });
    expect(delivery).toMatchObject({ status: 500, attempts: 9, gaveUp: true, timedOut: false });
    expect(delivery.nextAttemptAt).toBeUndefined();
    expect(delivery.attemptLog.map((a) => a.status)).toEqual(Array(9).fill(500));
    expect(receiver.received).toHaveLength(9);
    for (const header of [
      "x-shopify-webhook-id",
      "x-shopify-event-id",
      "x-shopify-triggered-at",
      "x-shopify-hmac-sha256",
    ])
      expect(new Set(receiver.received.map((w) => w.headers[header])).size).toBe(1);
    expect(receiver.received[0].headers["x-shopify-webhook-id"]).toBe(delivery.id);
    expect(new Set(receiver.received.map((w) => w.rawBody)).size).toBe(1);
    expect(emulator.control.webhookSummary({ shop })).toMatchObject({
      triggered: 1,
      delivered: 0,
      gaveUp: 1,
      retrying: 0,
      attempts: 9,
      failedAttempts: { "500": 9 },
    });
  });

  it("answered 2xx on a retry: delivered, no further retry, not given up", async () => {
    const { receiver, emulator, waits, shop, productId } = await setUp([503, 502, 200]);
    await send(emulator, shop, productId);
    await emulator.control.waitForWebhooks();

    expect(waits).toEqual(shopifyRetryDelaysMs().slice(0, 2));
    const [delivery] = emulator.control.webhookDeliveries({ shop });
    expect(delivery).toMatchObject({ status: 200, attempts: 3 });
    expect(delivery.gaveUp).toBeUndefined();
    expect(receiver.received).toHaveLength(3);
    expect(emulator.control.webhookSummary({ shop })).toMatchObject({ delivered: 1, deliveredOnRetry: 1, gaveUp: 0 });
  });

  it("an answer slower than the timeout failed: the connection is cut and the delivery retried, same webhook id", async () => {
    // The receiver holds the first request open until the emulator hangs up: no race with the clock, however slow
    // the machine. It answers the retry at once.
    const { receiver, emulator, waits, shop, productId } = await setUp(["no answer", 200], { timeoutMs: 200 });
    await send(emulator, shop, productId);
    await emulator.control.waitForWebhooks();

    const [delivery] = emulator.control.webhookDeliveries({ shop });
    expect(delivery.attemptLog).toEqual([
      expect.objectContaining({ status: null, timedOut: true, error: "no answer within 200 ms" }),
      expect.objectContaining({ status: 200, timedOut: false }),
    ]);
    expect(delivery).toMatchObject({ status: 200, attempts: 2, timedOut: false });
    expect(waits).toEqual(shopifyRetryDelaysMs().slice(0, 1));
    expect(receiver.received.map((w) => w.headers["x-shopify-webhook-id"])).toEqual([delivery.id, delivery.id]);
    expect(emulator.control.webhookSummary({ shop })).toMatchObject({
      deliveredOnRetry: 1,
      attemptsTimedOut: 1,
      failedAttempts: { "timed out: no answer": 1 },
    });
  });

  it("a connection the app does not accept within the connect timeout failed, long before the answer's timeout", async () => {
    const port = await startUnacceptingPort();
    running.push(port);
    const emulator = await startTestEmulator({
      appUrl: port.url,
      webhookDelivery: { connectTimeoutMs: 200, timeoutMs: 600_000, retryDelaysMs: [] },
    });
    running.push(emulator);
    const shop = createTestShop(emulator, { products: 1, variantsPerProduct: 1 });
    const [product] = emulator.control.listProducts({ shop: shop.domain });

    const delivery = await send(emulator, shop.domain, product.id);
    expect(delivery.attemptLog).toEqual([
      expect.objectContaining({ status: null, timedOut: true, error: "connection not accepted within 200 ms" }),
    ]);
    // No retry left ([] here): given up at once.
    expect(delivery.gaveUp).toBe(true);
    expect(emulator.control.webhookSummary({ shop: shop.domain })).toMatchObject({
      attemptsTimedOut: 1,
      failedAttempts: { "timed out: no connection": 1 },
    });
  });
});

describe("stopping the emulator", () => {
  it("cancels the retries still waiting on Shopify's real schedule: stop() returns, nothing is sent after", async () => {
    const receiver = await startWebhookReceiver(500);
    running.push(receiver);
    // Shopify's schedule and the real timer: the first retry would wait 56 s.
    const emulator = await startTestEmulator({ appUrl: receiver.url });
    const shop = createTestShop(emulator, { products: 1, variantsPerProduct: 1 });
    const [product] = emulator.control.listProducts({ shop: shop.domain });

    const delivery = await send(emulator, shop.domain, product.id);
    expect(delivery.attempts).toBe(1);
    expect(Date.parse(delivery.nextAttemptAt!) - Date.parse(delivery.attemptLog[0].at)).toBeGreaterThanOrEqual(
      shopifyRetryDelaysMs()[0],
    );
    expect(emulator.control.webhookSummary()).toMatchObject({ retrying: 1 });

    await emulator.stop();
    expect(delivery).toMatchObject({ attempts: 1, stoppedBeforeRetry: true });
    expect(delivery.nextAttemptAt).toBeUndefined();
    expect(delivery.gaveUp).toBeUndefined();
    expect(emulator.control.webhookSummary()).toMatchObject({ retrying: 0, stoppedBeforeRetry: 1 });
    expect(receiver.received).toHaveLength(1);
  });

  it("hands an injected wait the stop signal, and a wait that ignores it does not hold stop() up", async () => {
    const signals: AbortSignal[] = [];
    const { emulator, shop, productId } = await setUp([500], {
      wait: (_ms, signal) => {
        signals.push(signal);
        return new Promise<void>(() => undefined); // never resolves by itself
      },
    });
    await send(emulator, shop, productId);
    expect(signals).toHaveLength(1);
    expect(signals[0].aborted).toBe(false);
    await emulator.stop();
    expect(signals[0].aborted).toBe(true);
    expect(emulator.control.webhookDeliveries({ shop })[0]).toMatchObject({ attempts: 1, stoppedBeforeRetry: true });
  });

  it("leaves no timer behind: a process whose retry was pending ends by itself after stop()", async () => {
    // Without clearing the retry's timer the process would live until Shopify's first retry, 56 s on.
    const child = spawn(process.execPath, ["--import", "tsx", "tests/emulator/support/stop-with-pending-retry.ts"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(0);
    expect(JSON.parse(output.trim())).toEqual({ attempts: 1, stoppedBeforeRetry: true, timers: [] });
  }, 120_000);
});

describe("the real wait between retries", () => {
  it("leaves no listener on the stop signal once its time is up (thousands of retries would pile up)", async () => {
    const stopping = new AbortController();
    for (let i = 0; i < 3; i++) await timerWait(1, stopping.signal);
    expect(getEventListeners(stopping.signal, "abort")).toHaveLength(0);
  });

  it("ends at once when the emulator stops", async () => {
    const stopping = new AbortController();
    const waiting = timerWait(3_600_000, stopping.signal);
    stopping.abort();
    await expect(waiting).resolves.toBeUndefined();
  });
});
