import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { pgPool } from "../../app/db.server";
import { csvCell } from "../../app/monitoring/csv";
import { syncEventsCsvStream } from "../../app/monitoring/export-sync-events-csv.server";
import { listSyncEvents } from "../../app/monitoring/list-sync-events.server";
import { parseSyncMonitorQuery, type SortKey, type SyncMonitorQuery } from "../../app/monitoring/sync-monitor-query";
import { loader as monitorLoader } from "../../app/routes/admin.sync-monitor";
import { loader as exportLoader } from "../../app/routes/admin.sync-monitor_.export[.csv]";
import { loader as detailLoader } from "../../app/routes/admin.sync-monitor_.$eventId";
import { adminGet, createAdmin, responseOf, routeArgs, signIn } from "../support/admin";
import { createConnection } from "../support/merchants";

// Seeded events with ties on created_at, missing durations and item counts, three shops, every type and status,
// over ten days; the expected answers are computed here in plain JS from the same rows.

const NOW = new Date("2026-05-10T12:00:00Z");
const SHOPS = ["alpha.myshopify.com", "beta.myshopify.com", "gamma.myshopify.com"];
const TYPES = ["PRODUCT_SYNC", "INVENTORY_SYNC", "BULK_OPERATION", "WEBHOOK", "DATA_INTEGRITY"] as const;
const STATUSES = ["SUCCESS", "SUCCESS", "SUCCESS", "FAILURE", "PARTIAL"] as const;

interface Seeded {
  id: string;
  shop: string;
  eventType: string;
  status: string;
  itemCount: number | null;
  processingTimeMs: number | null;
  createdAt: Date;
}
let seeded: Seeded[] = [];
let cookie = "";

function query(search: string): SyncMonitorQuery {
  return parseSyncMonitorQuery(new URLSearchParams(search), NOW).query;
}

function expected(filter: (e: Seeded) => boolean, sort: SortKey, direction: "asc" | "desc"): string[] {
  const key = (e: Seeded) =>
    sort === "created_at"
      ? e.createdAt.getTime()
      : sort === "processing_time"
        ? (e.processingTimeMs ?? -1)
        : (e.itemCount ?? -1);
  const sign = direction === "asc" ? 1 : -1;
  return seeded
    .filter(filter)
    .sort((a, b) => sign * (key(a) - key(b)) || sign * Number(BigInt(a.id) - BigInt(b.id)))
    .map((e) => e.id);
}

async function walkForward(q: SyncMonitorQuery): Promise<string[]> {
  const ids: string[] = [];
  let cursor = q.cursor;
  for (let pages = 0; pages < 100; pages++) {
    const page = await listSyncEvents({ ...q, cursor });
    ids.push(...page.events.map((e) => e.id));
    if (!page.next) return ids;
    cursor = page.next;
  }
  throw new Error("too many pages");
}

beforeAll(async () => {
  // The loaders take "today" from the clock; only Date is faked (timers stay real for pg and the streams).
  vi.useFakeTimers({ toFake: ["Date"], now: NOW });
  for (const shop of SHOPS) await createConnection(shop);
  const rows: unknown[][] = [];
  for (let i = 0; i < 420; i++) {
    // Every third event shares its timestamp with the one before: the id must break the tie.
    const minutesAgo = Math.floor((i - (i % 3 === 2 ? 1 : 0)) * 31);
    rows.push([
      SHOPS[i % 3],
      TYPES[i % 5],
      STATUSES[(i * 7) % 5],
      i % 11 === 0 ? null : (i * 37) % 500,
      i % 13 === 0 ? null : ((i * 7919) % 9000) + 5,
      STATUSES[(i * 7) % 5] === "FAILURE" ? `Failure ${i}` : null,
      new Date(NOW.getTime() - minutesAgo * 60_000),
    ]);
  }
  // An event outside the default 7-day range, and one in the future of the range.
  rows.push(["alpha.myshopify.com", "WEBHOOK", "SUCCESS", 1, 1, null, new Date("2026-04-01T00:00:00Z")]);
  const { rows: inserted } = await pgPool().query<{ id: string; created_at: Date }>(
    `INSERT INTO sync_event (shop, event_type, status, item_count, processing_time_ms, error_message, created_at, metadata)
     SELECT shop, event_type::"SyncEventType", status::"SyncEventStatus", item_count, processing_time_ms, error_message, created_at,
            jsonb_build_object('attempt', 1)
       FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::text[], $7::timestamptz[])
         AS t(shop, event_type, status, item_count, processing_time_ms, error_message, created_at)
     RETURNING id::text, shop, event_type AS "eventType", status, item_count AS "itemCount",
               processing_time_ms AS "processingTimeMs", created_at AS "createdAt"`,
    [0, 1, 2, 3, 4, 5, 6].map((column) => rows.map((row) => row[column])),
  );
  seeded = inserted as unknown as Seeded[];
  await createAdmin("viewer@example.com", "VIEWER");
  ({ cookie } = await signIn("viewer@example.com"));
});

afterAll(() => {
  vi.useRealTimers();
});

const inDefaultRange = (e: Seeded) =>
  e.createdAt >= new Date("2026-05-04T00:00:00Z") && e.createdAt < new Date("2026-05-11T00:00:00Z");

describe("sync monitor: filters and keyset pagination", () => {
  it("pages through every sort and direction with no duplicate and no gap", async () => {
    for (const sort of ["created_at", "processing_time", "item_count"] as const) {
      for (const direction of ["desc", "asc"] as const) {
        const q = query(`sort=${sort}&direction=${direction}&pageSize=25&from=2026-04-25&to=2026-05-10`);
        const ids = await walkForward(q);
        expect(ids, `${sort} ${direction}`).toEqual(
          expected((e) => e.createdAt >= new Date("2026-04-25"), sort, direction),
        );
        expect(new Set(ids).size).toBe(ids.length);
      }
    }
  });

  it("goes back with `before` to exactly the previous page", async () => {
    const q = query("sort=processing_time&pageSize=20");
    const first = await listSyncEvents(q);
    expect(first.previous).toBeNull();
    const second = await listSyncEvents({ ...q, cursor: first.next });
    const third = await listSyncEvents({ ...q, cursor: second.next });
    const backToSecond = await listSyncEvents({ ...q, cursor: third.previous });
    expect(backToSecond.events.map((e) => e.id)).toEqual(second.events.map((e) => e.id));
    const backToFirst = await listSyncEvents({ ...q, cursor: backToSecond.previous });
    expect(backToFirst.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
    expect(backToFirst.previous).toBeNull();
  });

  it("filters by merchant, type, status and date range on the server", async () => {
    const cases: Array<[string, (e: Seeded) => boolean]> = [
      ["shop=beta.myshopify.com", (e) => inDefaultRange(e) && e.shop === "beta.myshopify.com"],
      ["type=WEBHOOK", (e) => inDefaultRange(e) && e.eventType === "WEBHOOK"],
      ["status=FAILURE", (e) => inDefaultRange(e) && e.status === "FAILURE"],
      [
        "shop=gamma.myshopify.com&type=INVENTORY_SYNC&status=SUCCESS",
        (e) =>
          inDefaultRange(e) &&
          e.shop === "gamma.myshopify.com" &&
          e.eventType === "INVENTORY_SYNC" &&
          e.status === "SUCCESS",
      ],
      [
        "from=2026-05-08&to=2026-05-09",
        (e) => e.createdAt >= new Date("2026-05-08") && e.createdAt < new Date("2026-05-10"),
      ],
      [
        "from=2026-03-01&to=2026-04-01&type=WEBHOOK",
        (e) => e.createdAt < new Date("2026-04-02") && e.eventType === "WEBHOOK",
      ],
    ];
    for (const [search, filter] of cases) {
      const ids = await walkForward(query(`${search}&pageSize=30`));
      const want = expected(filter, "created_at", "desc");
      expect(ids, search).toEqual(want);
      expect(want.length, search).toBeGreaterThan(0);
    }
  });

  it("the loader answers the page, the filtered statistics and the merchants; signed-out requests are redirected", async () => {
    const signedOut = await responseOf(() => monitorLoader(routeArgs(adminGet("/admin/sync-monitor"))));
    expect(signedOut.status).toBe(302);

    const response = await responseOf(() =>
      monitorLoader(routeArgs(adminGet("/admin/sync-monitor?shop=alpha.myshopify.com&type=PRODUCT_SYNC", cookie))),
    );
    const data = await response.json();
    const matching = seeded.filter(
      (e) => inDefaultRange(e) && e.shop === "alpha.myshopify.com" && e.eventType === "PRODUCT_SYNC",
    );
    expect(data.stats.total).toBe(matching.length);
    expect(data.stats.successRate).toBeCloseTo(
      matching.filter((e) => e.status === "SUCCESS").length / matching.length,
      10,
    );
    const times = matching.map((e) => e.processingTimeMs).filter((t): t is number => t !== null);
    expect(data.stats.averageProcessingTimeMs).toBeCloseTo(times.reduce((a, b) => a + b, 0) / times.length, 6);
    expect(data.stats.daily).toHaveLength(7);
    expect(data.stats.daily.reduce((sum: number, d: { total: number }) => sum + d.total, 0)).toBe(matching.length);
    expect(data.events.map((e: { id: string }) => e.id)).toEqual(
      expected((e) => matching.includes(e), "created_at", "desc").slice(0, 50),
    );
    expect(data.shops.map((s: { shop: string }) => s.shop)).toEqual(SHOPS);
    expect(data.ignored).toEqual([]);
  });

  it("ignores garbage in the query string (with a note) instead of failing", async () => {
    const garbage =
      "/admin/sync-monitor?shop=%27%20OR%201%3D1--&type=DROP&status=&from=2026-13-45&to=yesterday&sort=id;DELETE&direction=sideways&after=abc&pageSize=9999&unknown=1";
    const response = await responseOf(() => monitorLoader(routeArgs(adminGet(garbage, cookie))));
    expect(response.status).toBe(200);
    const data = await response.json();
    expect(data.ignored.sort()).toEqual(["after", "direction", "from", "pageSize", "shop", "sort", "to", "type"]);
    expect(data.query).toMatchObject({
      shop: null,
      eventType: null,
      status: null,
      sort: "created_at",
      direction: "desc",
      cursor: null,
      pageSize: 50,
    });
    // A well-formed cursor whose number the column cannot hold is dropped too, not handed to PostgreSQL.
    for (const search of [
      "after=-999999999999999_1",
      "after=1_9999999999999999999",
      "sort=processing_time&before=999999999999999_1",
    ]) {
      const outOfRange = await responseOf(() =>
        monitorLoader(routeArgs(adminGet(`/admin/sync-monitor?${search}`, cookie))),
      );
      expect(outOfRange.status, search).toBe(200);
      expect((await outOfRange.json()).query.cursor, search).toBeNull();
    }
    const reversed = parseSyncMonitorQuery(new URLSearchParams("from=2026-05-09&to=2026-05-01"), NOW);
    expect(reversed.ignored).toEqual(["from"]);
    expect(reversed.query.fromDay).toBe("2026-04-25");
  });

  it("shows one event with its error and metadata; 404 for unknown or malformed ids", async () => {
    const failure = seeded.find((e) => e.status === "FAILURE")!;
    const response = await responseOf(() =>
      detailLoader(routeArgs(adminGet(`/admin/sync-monitor/${failure.id}`, cookie), { eventId: failure.id })),
    );
    const { event } = await response.json();
    expect(event.errorMessage).toMatch(/^Failure \d+$/);
    expect(JSON.parse(event.metadataJson)).toEqual({ attempt: 1 });
    for (const id of ["999999", "abc", "-1", "1e3", "99999999999999999999"]) {
      const missing = await responseOf(() =>
        detailLoader(routeArgs(adminGet(`/admin/sync-monitor/${id}`, cookie), { eventId: id })),
      );
      expect(missing.status, id).toBe(404);
    }
  });
});

describe("sync monitor: CSV export", () => {
  it("escapes quotes, separators and line breaks, and defuses formulas", () => {
    expect(csvCell('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    expect(csvCell('=HYPERLINK("http://evil")')).toBe('"\'=HYPERLINK(""http://evil"")"');
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell("-cmd")).toBe("'-cmd");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell(-5)).toBe("-5");
    expect(csvCell(null)).toBe("");
    expect(csvCell(new Date("2026-05-10T12:00:00.000Z"))).toBe("2026-05-10T12:00:00.000Z");
  });

  it("streams every filtered event, beyond one batch, in the monitor's order", async () => {
    const hostile = await pgPool().query<{ id: string }>(
      `INSERT INTO sync_event (shop, event_type, status, error_message, created_at)
       VALUES ('beta.myshopify.com', 'WEBHOOK', 'FAILURE', $1, $2) RETURNING id::text`,
      ['=cmd|"/c calc"!A1, then a\nsecond line', new Date(NOW.getTime() + 1000)],
    );
    const response = await responseOf(() =>
      exportLoader(routeArgs(adminGet("/admin/sync-monitor/export.csv?from=2026-03-01&after=5_5", cookie))),
    );
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toBe(
      'attachment; filename="sync-events_2026-03-01_2026-05-10.csv"',
    );
    const text = await response.text();
    expect(
      text.startsWith("id,created_at,shop,event_type,status,item_count,processing_time_ms,error_message\r\n"),
    ).toBe(true);
    const ids = [...text.matchAll(/\r\n(\d+),/g)].map((m) => m[1]);
    expect(ids).toEqual([hostile.rows[0].id, ...expected(() => true, "created_at", "desc")]);
    expect(text).toContain(
      `${hostile.rows[0].id},2026-05-10T12:00:01.000Z,beta.myshopify.com,WEBHOOK,FAILURE,,,"'=cmd|""/c calc""!A1, then a\nsecond line"\r\n`,
    );
    // Small batches (many keyset steps) give byte for byte the same file.
    const batched = syncEventsCsvStream(parseSyncMonitorQuery(new URLSearchParams("from=2026-03-01"), NOW).query, {
      batchSize: 7,
    });
    expect(await new Response(batched).text()).toBe(text);
    await pgPool().query("DELETE FROM sync_event WHERE id = $1", [hostile.rows[0].id]);

    const signedOut = await responseOf(() => exportLoader(routeArgs(adminGet("/admin/sync-monitor/export.csv"))));
    expect(signedOut.status).toBe(302);
  });
});
