// Faults a test or the demo injects into a shop. Request faults hit the next GraphQL requests in the order they
// were injected; bulk faults shape the next bulk operation.

export type BulkErrorCode = "ACCESS_DENIED" | "INTERNAL_SERVER_ERROR" | "TIMEOUT";

export type RequestFault =
  | { kind: "http"; status: 429 | 500 | 502 | 503; count?: number }
  | { kind: "slow"; delayMs: number; count?: number }
  | { kind: "throttled"; count?: number }
  | { kind: "accessDenied"; count?: number }
  // Answers 423 until cleared (count omitted) or for `count` requests.
  | { kind: "locked"; count?: number }
  // Shopify's 401 for `count` requests whatever the token (an access token rejected before its stored expiry).
  | { kind: "unauthorized"; count?: number };

// For the next requests to the token endpoint (/admin/oauth/access_token): refreshes, token exchanges, migrations.
// `tokenHttp`: Shopify answers a 5xx and does nothing. `tokenRefused`: Shopify answers 400 with an OAuth error and
// does nothing (whatever the reason; the tokens stay as they were). `tokenAnswerLost`: Shopify does the work (a
// refresh token is spent, a token migrated) but the answer never reaches the app: the connection drops.
export type TokenFault =
  | { kind: "tokenHttp"; status: 500 | 502 | 503; count?: number }
  | { kind: "tokenRefused"; error?: string; count?: number }
  | { kind: "tokenAnswerLost"; count?: number };

export type BulkFault =
  | { kind: "bulkFailed"; errorCode?: BulkErrorCode; partialData?: boolean }
  | { kind: "bulkMalformedLine" }
  | { kind: "bulkUrlExpired" };

// revokeToken is applied at once (every token of the shop stops working); it is listed here so one
// `injectFault` call covers everything.
export type Fault = RequestFault | BulkFault | TokenFault | { kind: "revokeToken" };

export interface RandomFaults {
  // Probability that any one GraphQL request gets a fault.
  rate: number;
  seed?: number;
}

const REQUEST_KINDS = new Set(["http", "slow", "throttled", "accessDenied", "locked", "unauthorized"]);
const TOKEN_KINDS = new Set(["tokenHttp", "tokenRefused", "tokenAnswerLost"]);

interface Pending<T> {
  fault: T;
  remaining: number;
}

export class FaultQueue {
  private requestFaults: Pending<RequestFault>[] = [];
  private bulkFaults: BulkFault[] = [];
  private tokenFaults: Pending<TokenFault>[] = [];
  private random: { rate: number; next: () => number } | undefined;

  add(fault: RequestFault | BulkFault | TokenFault): void {
    if (TOKEN_KINDS.has(fault.kind)) {
      const tokenFault = fault as TokenFault;
      this.tokenFaults.push({ fault: tokenFault, remaining: tokenFault.count ?? 1 });
    } else if (REQUEST_KINDS.has(fault.kind)) {
      const requestFault = fault as RequestFault;
      const remaining = requestFault.count ?? (requestFault.kind === "locked" ? Number.POSITIVE_INFINITY : 1);
      this.requestFaults.push({ fault: requestFault, remaining });
    } else {
      this.bulkFaults.push(fault as BulkFault);
    }
  }

  setRandom(options: RandomFaults | null): void {
    this.random = options && options.rate > 0 ? { rate: options.rate, next: mulberry32(options.seed ?? 1) } : undefined;
  }

  clear(): void {
    this.requestFaults = [];
    this.bulkFaults = [];
    this.tokenFaults = [];
    this.random = undefined;
  }

  takeRequestFault(): RequestFault | undefined {
    const pending = this.requestFaults[0];
    if (pending) {
      pending.remaining -= 1;
      if (pending.remaining <= 0) this.requestFaults.shift();
      return pending.fault;
    }
    if (this.random && this.random.next() < this.random.rate) return randomFault(this.random.next());
    return undefined;
  }

  takeTokenFault(): TokenFault | undefined {
    const pending = this.tokenFaults[0];
    if (!pending) return undefined;
    pending.remaining -= 1;
    if (pending.remaining <= 0) this.tokenFaults.shift();
    return pending.fault;
  }

  takeBulkFaults(): BulkFault[] {
    const faults = this.bulkFaults;
    this.bulkFaults = [];
    return faults;
  }

  pending(): { request: RequestFault[]; bulk: BulkFault[]; token: TokenFault[]; random: boolean } {
    return {
      request: this.requestFaults.map((p) => p.fault),
      bulk: [...this.bulkFaults],
      token: this.tokenFaults.map((p) => p.fault),
      random: !!this.random,
    };
  }
}

// The mix a merchant's store actually shows now and then: mostly transient 5xx and throttles.
function randomFault(roll: number): RequestFault {
  if (roll < 0.3) return { kind: "http", status: 503 };
  if (roll < 0.5) return { kind: "http", status: 502 };
  if (roll < 0.6) return { kind: "http", status: 500 };
  if (roll < 0.75) return { kind: "http", status: 429 };
  if (roll < 0.9) return { kind: "throttled" };
  return { kind: "slow", delayMs: 1_500 };
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
