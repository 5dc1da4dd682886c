import type { SoakShop } from "./population";
import type { SoakStack } from "./soak-stack";

// The faults of a soak, each at a fixed share of the life's wall time, on shops chosen by position (so every run
// with the same shop count injects the same faults in the same shops). Shopify's own unreliability (webhooks lost,
// late, repeated, out of order; throttling; 5xx; an access token's hour running out) through the emulator; the
// platform's (a worker process SIGKILLed, PostgreSQL restarted) through the stack.

export type FaultKind =
  | "webhooks-dropped"
  | "webhooks-delayed-duplicated-shuffled"
  | "webhooks-delayed-reversed"
  | "throttled"
  | "5xx-burst"
  | "token-expired"
  | "worker-sigkilled"
  | "database-restarted";

export interface InjectedFault {
  kind: FaultKind;
  shop: string | null;
  /** ms since the life started */
  at: number;
  until?: number;
  detail: string;
}

interface PlannedFault {
  at: number;
  kind: FaultKind;
  shop: SoakShop | null;
  run(): Promise<string> | string;
  /** When the fault ends (a window of dropped or held webhooks), as a share of the life. */
  endAt?: number;
  end?(): Promise<string> | string;
}

export function planFaults(stack: SoakStack, shops: SoakShop[]): PlannedFault[] {
  const control = stack.emulator.control;
  const shopAt = (i: number) => shops[i % shops.length];
  const standard = shops.find((s) => s.plan === "STANDARD") ?? shops[0];
  const dropped = shopAt(1);
  const shuffled = shopAt(2);
  const reversed = shopAt(3);
  const burst = [shopAt(4), shopAt(5)];
  const expiring = shopAt(6);
  const throttled = shopAt(7);
  return [
    {
      at: 0.1,
      kind: "webhooks-dropped",
      shop: dropped,
      run: () => (control.setWebhookMode({ shop: dropped.domain, mode: "drop" }), "every webhook of the shop lost"),
      endAt: 0.4,
      end: () => (control.setWebhookMode({ shop: dropped.domain, mode: "deliver" }), "delivered again"),
    },
    {
      at: 0.15,
      kind: "webhooks-delayed-duplicated-shuffled",
      shop: shuffled,
      run: () => (control.setWebhookMode({ shop: shuffled.domain, mode: "hold" }), "webhooks held"),
      endAt: 0.45,
      async end() {
        control.setWebhookMode({ shop: shuffled.domain, mode: "deliver" });
        const { released } = await control.releaseWebhooks({
          shop: shuffled.domain,
          order: "shuffle",
          seed: 7,
          duplicate: true,
        });
        return `${released} held webhooks released late, shuffled, each twice`;
      },
    },
    {
      at: 0.2,
      kind: "throttled",
      shop: standard,
      run: () => (control.drainBucket({ shop: standard.domain }), `${standard.plan} bucket drained by another app`),
    },
    {
      at: 0.3,
      kind: "5xx-burst",
      shop: burst[0],
      run: () => {
        control.injectFault({ shop: burst[0].domain, fault: { kind: "http", status: 503, count: 4 } });
        control.injectFault({ shop: burst[0].domain, fault: { kind: "http", status: 500, count: 3 } });
        return "7 Admin API requests answered 503 then 500";
      },
    },
    {
      at: 0.35,
      kind: "token-expired",
      shop: expiring,
      run: () =>
        `${control.expireAccessTokens({ shop: expiring.domain }).expired} expiring access token(s) reached their hour`,
    },
    {
      at: 0.5,
      kind: "webhooks-delayed-reversed",
      shop: reversed,
      run: () => (control.setWebhookMode({ shop: reversed.domain, mode: "hold" }), "webhooks held"),
      endAt: 0.7,
      async end() {
        control.setWebhookMode({ shop: reversed.domain, mode: "deliver" });
        const { released } = await control.releaseWebhooks({ shop: reversed.domain, order: "reverse" });
        return `${released} held webhooks released late, newest first`;
      },
    },
    {
      at: 0.55,
      kind: "throttled",
      shop: throttled,
      run: () => {
        control.drainBucket({ shop: throttled.domain });
        control.injectFault({ shop: throttled.domain, fault: { kind: "throttled", count: 2 } });
        return "bucket drained and 2 requests answered THROTTLED";
      },
    },
    {
      at: 0.6,
      kind: "worker-sigkilled",
      shop: null,
      async run() {
        const name = stack.workers[0].name;
        await stack.killWorker(0, 3_000);
        return `${name} SIGKILLed, a new worker started 3 s later`;
      },
    },
    {
      at: 0.65,
      kind: "5xx-burst",
      shop: burst[1],
      run: () => {
        control.injectFault({ shop: burst[1].domain, fault: { kind: "http", status: 502, count: 5 } });
        return "5 Admin API requests answered 502";
      },
    },
    {
      at: 0.75,
      kind: "database-restarted",
      shop: null,
      async run() {
        await stack.restartDatabase(5_000);
        return "PostgreSQL stopped (fast shutdown), down 5 s, started again";
      },
    },
  ];
}

/** Runs the plan against the life's clock: each fault when its share of the wall time has passed, beside the life
 * and beside the other faults (a slow one, such as releasing thousands of held webhooks, does not delay the next). */
export class FaultRunner {
  readonly injected: InjectedFault[] = [];
  private readonly started = new Map<PlannedFault, { record: InjectedFault; done: Promise<void> }>();
  private readonly ended = new Set<PlannedFault>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly plan: PlannedFault[],
    private readonly log: (line: string) => void,
  ) {}

  private track(work: Promise<void>) {
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
    return work;
  }

  tick(elapsed: number, total: number) {
    for (const fault of this.plan) {
      if (!this.started.has(fault) && elapsed >= fault.at * total) {
        const record: InjectedFault = { kind: fault.kind, shop: fault.shop?.domain ?? null, at: elapsed, detail: "" };
        this.injected.push(record);
        const done = this.track(
          (async () => {
            record.detail = await fault.run();
            this.log(`fault ${fault.kind}${record.shop ? ` (${record.shop})` : ""}: ${record.detail}`);
          })().catch((error: Error) => this.log(`fault ${fault.kind} could not be injected: ${error.message}`)),
        );
        this.started.set(fault, { record, done });
      }
      if (
        fault.endAt !== undefined &&
        this.started.has(fault) &&
        !this.ended.has(fault) &&
        elapsed >= fault.endAt * total
      )
        this.end(fault, elapsed);
    }
  }

  private end(fault: PlannedFault, elapsed: number) {
    if (!fault.end) return;
    this.ended.add(fault);
    const { record, done } = this.started.get(fault)!;
    this.track(
      done
        .then(async () => {
          const detail = await fault.end!();
          record.until = elapsed;
          record.detail += `; ${detail}`;
          this.log(`fault ${fault.kind}${fault.shop ? ` (${fault.shop.domain})` : ""} ended: ${detail}`);
        })
        .catch((error: Error) => this.log(`fault ${fault.kind} could not be ended: ${error.message}`)),
    );
  }

  /** Ends whatever is still under way (the life stopped early) and waits for every fault in progress. */
  async finish(elapsed: number) {
    for (const fault of this.plan) if (this.started.has(fault) && !this.ended.has(fault)) this.end(fault, elapsed);
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
