import { createServer, type IncomingHttpHeaders } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { Worker } from "node:worker_threads";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../emulator";
import type { CreateShopInput } from "../../emulator/store";

// Small helpers shared by the emulator's and the Admin client's tests.

export const TEST_API_SECRET = "emulator-test-secret";
export const TEST_API_KEY = "emulator-test-key";

export async function startTestEmulator(options: Partial<EmulatorOptions> = {}): Promise<RunningEmulator> {
  return startEmulator({
    apiSecret: TEST_API_SECRET,
    apiKey: TEST_API_KEY,
    bulkTiming: { startDelayMs: 20, minRunningMs: 80 },
    ...options,
  });
}

export interface GraphqlReply {
  status: number;
  headers: Headers;
  // Parsed JSON when the body is JSON.
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }> | string;
    extensions?: {
      cost: {
        requestedQueryCost: number;
        actualQueryCost: number | null;
        throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
      };
    };
  };
}

// A raw GraphQL call, without the app's client: what Shopify answers, unfiltered.
export async function rawGraphql(
  emulator: RunningEmulator,
  shop: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphqlReply> {
  const response = await fetch(emulator.graphqlUrl(shop), {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as GraphqlReply["body"] };
}

export function createTestShop(
  emulator: RunningEmulator,
  input: Partial<CreateShopInput> & {
    products?: number;
    variantsPerProduct?: number;
    seed?: number;
    edgeCases?: boolean;
  } = {},
) {
  const domain = input.domain ?? `shop-${Math.random().toString(36).slice(2, 8)}.myshopify.com`;
  const shop = emulator.control.createShop({
    domain,
    plan: input.plan,
    locations: input.locations,
    accessToken: input.accessToken,
  });
  if (input.products) {
    emulator.control.seedProducts({
      shop: domain,
      products: input.products,
      variantsPerProduct: input.variantsPerProduct ?? 2,
      seed: input.seed,
      edgeCases: input.edgeCases,
    });
  }
  return shop;
}

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

/** What a receiver answers its n-th request (0-based): a status, or "no answer" (it holds the request open until the
 * sender hangs up, as an app slower than Shopify's timeout). */
export type ReceiverAnswer = number | "no answer";

// A real HTTP server standing in for the app's webhook routes.
export async function startWebhookReceiver(answer: ReceiverAnswer | ((n: number) => ReceiverAnswer) = 200) {
  const received: ReceivedWebhook[] = [];
  const waiters: Array<() => void> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const reply = typeof answer === "function" ? answer(received.length) : answer;
      received.push({ path: req.url ?? "", headers: req.headers, rawBody: Buffer.concat(chunks).toString("utf8") });
      if (reply !== "no answer") res.writeHead(reply).end();
      waiters.splice(0).forEach((wake) => wake());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    async waitFor(count: number, timeoutMs = 5_000): Promise<ReceivedWebhook[]> {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`Expected ${count} webhooks, got ${received.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function waitUntil<T>(
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 5_000,
  intervalMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("Timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * A port whose connections are never accepted, as an app too busy to take them: a listener with a backlog of one in a
 * worker thread whose event loop is blocked (Atomics.wait), its queue filled by two connections of ours. Linux then
 * drops further SYNs, and a client's connect hangs until its own timeout.
 */
export async function startUnacceptingPort() {
  const worker = new Worker(
    `const { parentPort } = require("node:worker_threads");
     const server = require("node:net").createServer();
     server.listen({ port: 0, host: "127.0.0.1", backlog: 1 }, () => {
       parentPort.postMessage(server.address().port);
       setImmediate(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0));
     });`,
    { eval: true },
  );
  const port = await new Promise<number>((resolve) => worker.once("message", resolve));
  const fillers = await Promise.all(
    [0, 1].map(
      () =>
        new Promise<Socket>((resolve, reject) => {
          const socket = connect(port, "127.0.0.1", () => resolve(socket));
          socket.once("error", reject);
        }),
    ),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      fillers.forEach((socket) => socket.destroy());
      await worker.terminate();
    },
  };
}
