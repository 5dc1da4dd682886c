import { adminApiUrl } from "./admin-api-url";
import { backoffDelayMs, DEFAULT_BACKOFF, retryAfterMs, type BackoffSettings } from "./backoff";
import {
  ShopifyAccessRevokedError,
  ShopifyGraphqlError,
  ShopifyHttpError,
  ShopifyStoreLockedError,
  ShopifyThrottledError,
  type GraphqlErrorDetail,
} from "./errors";
import type { GraphqlDocument } from "./graphql-document";
import type { AccessTokenSource } from "./offline-token.server";
import { ThrottleBudget, type ThrottleStatus } from "./throttle-budget";

export interface AdminClientOptions {
  shop: string;
  // A fixed token, or the stored session read per request (./offline-token.server: refreshed before expiry and
  // once after a 401).
  accessToken: string | AccessTokenSource;
  fetch?: typeof fetch;
  // Epoch milliseconds; tests pass a fake clock together with `sleep`.
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  // Defaults to adminApiUrl(shop) (Shopify, or the emulator when SHOPIFY_ADMIN_API_BASE is set).
  url?: string;
  // Attempts for 429/5xx/network failures before giving up (the first try included).
  maxAttempts?: number;
  // THROTTLED answers tolerated for one request: generous, a throttle must not fail a job.
  maxThrottledAttempts?: number;
  backoff?: BackoffSettings;
  requestTimeoutMs?: number;
  onEvent?: (event: AdminClientEvent) => void;
}

export type AdminClientEvent =
  | { type: "waited"; ms: number; expectedCost: number }
  | { type: "throttled"; attempt: number; requestedCost: number; available: number | null }
  | { type: "retry"; attempt: number; delayMs: number; reason: string }
  | { type: "unauthorized"; retrying: boolean };

export interface AdminClientStats {
  requests: number;
  throttled: number;
  retries: number;
  waitedMs: number;
  // Sum of actualQueryCost over successful responses.
  pointsSpent: number;
}

export interface AdminClient {
  readonly shop: string;
  readonly stats: AdminClientStats;
  request<TData, TVariables extends object>(
    document: GraphqlDocument<TData, TVariables>,
    variables: TVariables,
  ): Promise<TData>;
  // The latest throttleStatus Shopify reported, for logs and benchmarks.
  throttleStatus(): ThrottleStatus | null;
  // The requestedQueryCost Shopify reported for the latest answer: callers size their next page from it.
  lastRequestedCost(): number | null;
}

interface GraphqlResponseBody {
  data?: unknown;
  errors?:
    | Array<{
        message: string;
        extensions?: { code?: string; cost?: number; maxCost?: number };
        path?: Array<string | number>;
      }>
    | string;
  extensions?: {
    cost?: { requestedQueryCost: number; actualQueryCost: number | null; throttleStatus: ThrottleStatus };
  };
}

const DEFAULTS = { maxAttempts: 6, maxThrottledAttempts: 50, requestTimeoutMs: 60_000 };

type Outcome<T> =
  | { kind: "done"; data: T }
  | { kind: "throttled"; requestedCost: number }
  | { kind: "retry"; reason: string; minDelayMs: number }
  | { kind: "unauthorized"; token: string };

// The app's Admin API client for one shop: waits on the shop's bucket before sending, retries what is
// transient (THROTTLED, 429, 5xx, network), and turns the rest into the typed errors of ./errors.
export function createAdminClient(options: AdminClientOptions): AdminClient {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const url = options.url ?? adminApiUrl(options.shop);
  const maxAttempts = options.maxAttempts ?? DEFAULTS.maxAttempts;
  const maxThrottled = options.maxThrottledAttempts ?? DEFAULTS.maxThrottledAttempts;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const budget = new ThrottleBudget({ now, sleep });
  const stats: AdminClientStats = { requests: 0, throttled: 0, retries: 0, waitedMs: 0, pointsSpent: 0 };
  let lastStatus: ThrottleStatus | null = null;
  let lastRequestedCost: number | null = null;
  const emit = (event: AdminClientEvent) => options.onEvent?.(event);
  const tokens: AccessTokenSource =
    typeof options.accessToken === "string" ? fixedToken(options.shop, options.accessToken) : options.accessToken;

  // While a document's cost is unknown, one request of it goes first and the others wait for its answer: a burst of
  // a new document would otherwise go out blind and come back THROTTLED.
  const probes = new Map<string, Promise<void>>();

  async function attempt<T>(document: string, variables: object): Promise<Outcome<T>> {
    while (!budget.knows(document) && probes.has(document)) await probes.get(document);
    if (budget.knows(document)) return send<T>(document, variables);
    let finish = () => {};
    probes.set(document, new Promise<void>((resolve) => (finish = resolve)));
    try {
      return await send<T>(document, variables);
    } finally {
      probes.delete(document);
      finish();
    }
  }

  async function send<T>(document: string, variables: object): Promise<Outcome<T>> {
    const token = await tokens.current();
    const expectedCost = budget.estimate(document);
    const reservation = await budget.reserve(expectedCost);
    if (reservation.waitedMs > 0) {
      stats.waitedMs += reservation.waitedMs;
      emit({ type: "waited", ms: reservation.waitedMs, expectedCost });
    }
    stats.requests++;
    let response: Response;
    let body: GraphqlResponseBody;
    try {
      response = await doFetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-Shopify-Access-Token": token },
        body: JSON.stringify({ query: document, variables }),
        signal: AbortSignal.timeout(options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs),
      });
      if (response.status === 401) {
        await response.body?.cancel();
        return { kind: "unauthorized", token };
      }
      if (response.status === 423) throw new ShopifyStoreLockedError(options.shop);
      if (response.status === 429) {
        await response.body?.cancel();
        return {
          kind: "retry",
          reason: "HTTP 429",
          minDelayMs: retryAfterMs(response.headers.get("Retry-After")) ?? 0,
        };
      }
      if (response.status >= 500) {
        await response.body?.cancel();
        return { kind: "retry", reason: `HTTP ${response.status}`, minDelayMs: 0 };
      }
      const text = await response.text();
      if (!response.ok) throw new ShopifyHttpError(options.shop, response.status, text.slice(0, 500));
      try {
        body = JSON.parse(text) as GraphqlResponseBody;
      } catch {
        return { kind: "retry", reason: "unreadable response body", minDelayMs: 0 };
      }
    } catch (error) {
      if (
        error instanceof ShopifyStoreLockedError ||
        error instanceof ShopifyStoreLockedError ||
        error instanceof ShopifyHttpError
      )
        throw error;
      return { kind: "retry", reason: `network: ${(error as Error).message}`, minDelayMs: 0 };
    } finally {
      reservation.release();
    }

    const cost = body.extensions?.cost;
    lastRequestedCost = cost?.requestedQueryCost ?? null;
    if (cost) {
      budget.observe(cost.throttleStatus);
      lastStatus = cost.throttleStatus;
      budget.learnCost(document, cost.requestedQueryCost);
    }
    const errors = typeof body.errors === "string" ? [{ message: body.errors }] : (body.errors ?? []);
    if (errors.some((e) => "extensions" in e && e.extensions?.code === "THROTTLED")) {
      return { kind: "throttled", requestedCost: cost?.requestedQueryCost ?? expectedCost };
    }
    if (errors.length > 0) {
      const details: GraphqlErrorDetail[] = errors.map((e) => ({
        message: e.message,
        code: "extensions" in e ? e.extensions?.code : undefined,
        path: "path" in e ? e.path : undefined,
        // MAX_COST_EXCEEDED says what the query would have cost.
        cost: "extensions" in e && typeof e.extensions?.cost === "number" ? e.extensions.cost : undefined,
      }));
      throw new ShopifyGraphqlError(options.shop, details, body.data ?? null);
    }
    stats.pointsSpent += cost?.actualQueryCost ?? 0;
    return { kind: "done", data: body.data as T };
  }

  return {
    shop: options.shop,
    stats,
    throttleStatus: () => lastStatus,
    lastRequestedCost: () => lastRequestedCost,
    async request<TData, TVariables extends object>(
      document: GraphqlDocument<TData, TVariables>,
      variables: TVariables,
    ): Promise<TData> {
      let failures = 0;
      let throttles = 0;
      let renewedAfter401 = false;
      for (;;) {
        const outcome = await attempt<TData>(document, variables);
        if (outcome.kind === "done") return outcome.data;
        if (outcome.kind === "unauthorized") {
          // One renewal and one retry per request: a second 401 with a fresh token means the access is gone.
          emit({ type: "unauthorized", retrying: !renewedAfter401 });
          if (renewedAfter401) throw new ShopifyAccessRevokedError(options.shop);
          renewedAfter401 = true;
          await tokens.afterUnauthorized(outcome.token);
          continue;
        }
        if (outcome.kind === "throttled") {
          // No sleep here: the next reserve() waits exactly until the bucket refills enough.
          throttles++;
          stats.throttled++;
          emit({
            type: "throttled",
            attempt: throttles,
            requestedCost: outcome.requestedCost,
            available: lastStatus?.currentlyAvailable ?? null,
          });
          if (throttles >= maxThrottled) throw new ShopifyThrottledError(options.shop, throttles);
          if (lastStatus && outcome.requestedCost <= (lastStatus.currentlyAvailable ?? 0)) {
            // Throttled although the bucket looked full enough (another process spent it): back off a little.
            await sleep(backoffDelayMs(throttles, backoff, random));
          }
          continue;
        }
        failures++;
        if (failures >= maxAttempts) {
          throw new ShopifyHttpError(
            options.shop,
            Number(/HTTP (\d+)/.exec(outcome.reason)?.[1]) || null,
            `${outcome.reason} (after ${failures} attempts)`,
          );
        }
        const delayMs = Math.max(outcome.minDelayMs, backoffDelayMs(failures, backoff, random));
        stats.retries++;
        emit({ type: "retry", attempt: failures, delayMs, reason: outcome.reason });
        await sleep(delayMs);
      }
    },
  };
}

// A token given as is (tests, scripts): nothing to renew, so a 401 means the access was revoked.
function fixedToken(shop: string, accessToken: string): AccessTokenSource {
  return {
    current: async () => accessToken,
    afterUnauthorized: async () => {
      throw new ShopifyAccessRevokedError(shop);
    },
  };
}
