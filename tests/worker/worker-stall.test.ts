import { EventEmitter } from "node:events";
import type { WorkerEvents } from "graphile-worker";
import { describe, expect, it } from "vitest";
import { runnerIsWedged, watchJobFetching } from "../../app/worker/worker-stall.server";

function fetchEvents() {
  const events: WorkerEvents = new EventEmitter();
  let now = 1_000_000;
  const watch = watchJobFetching(events, () => now);
  const emit = (name: string, payload: object = {}) =>
    (events.emit as (n: string, p: object) => boolean)(name, payload);
  return {
    watch,
    advance: (ms: number) => (now += ms),
    now: () => now,
    failed: (message = "Client has encountered a connection error and is not queryable") =>
      emit("worker:getJob:error", { error: new Error(message) }),
    empty: () => emit("worker:getJob:empty"),
    started: () => emit("job:start"),
  };
}

const answers = async () => true;
const down = async () => false;

describe("telling a wedged runner from an outage", () => {
  it("is wedged once every fetch has failed for the stall period while the database answers", async () => {
    const f = fetchEvents();
    f.empty();
    f.failed();
    expect(f.watch.failingSince()).toBe(f.now());
    f.advance(59_000);
    expect(await runnerIsWedged(f.watch, f.now(), 60_000, answers)).toBe(false);
    f.advance(500);
    f.failed(); // while the database answers
    f.advance(500);
    expect(await runnerIsWedged(f.watch, f.now(), 60_000, answers)).toBe(true);
    expect(f.watch.lastError()).toContain("not queryable");
  });

  it("is not wedged while the database does not answer (an outage: the runner recovers on its own)", async () => {
    const f = fetchEvents();
    f.failed("connect ECONNREFUSED");
    f.advance(120_000);
    expect(await runnerIsWedged(f.watch, f.now(), 60_000, down)).toBe(false);
  });

  it("after an outage longer than the stall period, is wedged only when a fetch fails once the database answers", async () => {
    // A real PostgreSQL restart: every fetch failed while the server was down. A healthy runner's next poll succeeds.
    const f = fetchEvents();
    f.failed("connect ECONNREFUSED");
    f.advance(120_000);
    f.failed("connect ECONNREFUSED");
    expect(await runnerIsWedged(f.watch, f.now(), 60_000, down)).toBe(false);
    f.advance(1_000);
    expect(await runnerIsWedged(f.watch, f.now(), 60_000, answers)).toBe(false); // back: no fetch has failed since
    f.advance(1_000);
    expect(await runnerIsWedged(f.watch, f.now(), 60_000, answers)).toBe(false);
    f.empty();
    expect(f.watch.failingSince()).toBeUndefined();

    // The same outage, but the runner's fetches go on failing once the database answers: wedged.
    const g = fetchEvents();
    g.failed("connect ECONNREFUSED");
    g.advance(120_000);
    expect(await runnerIsWedged(g.watch, g.now(), 60_000, answers)).toBe(false);
    g.advance(1_000);
    g.failed("Connection terminated unexpectedly");
    g.advance(1_000);
    expect(await runnerIsWedged(g.watch, g.now(), 60_000, answers)).toBe(true);
  });

  it("forgets failures once a fetch succeeds, empty or with a job", async () => {
    const f = fetchEvents();
    f.failed();
    f.advance(50_000);
    f.empty();
    f.advance(50_000);
    expect(f.watch.failingSince()).toBeUndefined();
    f.failed();
    f.advance(50_000);
    f.started();
    f.advance(50_000);
    expect(await runnerIsWedged(f.watch, f.now(), 60_000, answers)).toBe(false);
  });

  it("does not take workers busy with long jobs (no fetches at all) for stalled", async () => {
    const f = fetchEvents();
    f.started();
    f.advance(3_600_000);
    expect(await runnerIsWedged(f.watch, f.now(), 60_000, answers)).toBe(false);
  });

  it("stops listening when stopped", () => {
    const f = fetchEvents();
    f.watch.stop();
    f.failed();
    expect(f.watch.failingSince()).toBeUndefined();
  });
});
