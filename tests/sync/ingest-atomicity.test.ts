import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { pgPool } from "../../app/db.server";
import { waitUntil } from "../support/emulator";
import { productLine, variantLine } from "./export-fixtures";
import { createConnection } from "../support/merchants";

// Batches are atomic and ingests of one shop serialise, proven against real failures: a real child process is
// SIGKILLed while its merge is inside a batch, and two ingests of one shop are started at once. To stop an ingest
// at a known point, the test holds a row lock on one product of the third batch: the ingest's merge of that batch
// waits on it, inside its transaction, where the test can see it (pg_stat_activity) and kill the process.

const root = path.resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(path.join(tmpdir(), "ingest-atomicity-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BATCH = 5;
const PRODUCTS = 20;
const VARIANTS_PER = 2;

/** An export of products 1..PRODUCTS at `version`: titles, prices and times all say which version wrote them. */
function exportFile(name: string, version: number, firstId = 1): string {
  const lines: string[] = [];
  for (let p = firstId; p < firstId + PRODUCTS; p++) {
    lines.push(productLine(p, { title: `v${version}`, updatedAt: `2026-11-0${version}T10:00:00Z` }));
    for (let v = 0; v < VARIANTS_PER; v++) {
      lines.push(variantLine(p * 10 + v, p, { price: `${version}0.00`, updatedAt: `2026-11-0${version}T10:00:00Z` }));
    }
  }
  const file = path.join(dir, name);
  writeFileSync(file, lines.join("\n"));
  return file;
}

function startChild(shop: string, file: string) {
  // node itself with tsx's loader (not the tsx CLI, which runs the script in a grandchild the kill would miss).
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "tests/sync/support/ingest-child.ts", shop, file, String(BATCH)],
    {
      cwd: root,
      env: { ...process.env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, output })),
  );
  return { child, exited };
}

/** Holds a row lock on product `id` of `shop` on a connection of its own until released. */
async function lockProduct(shop: string, id: number) {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  await client.query("BEGIN");
  await client.query("SELECT 1 FROM product WHERE shop = $1 AND id = $2 FOR UPDATE", [shop, id]);
  return async () => {
    await client.query("ROLLBACK");
    await client.end();
  };
}

/** Backends of this database waiting for a lock of the given kind ("transactionid"/"tuple" for rows, "advisory"). */
async function waitingOn(kinds: string[]): Promise<number> {
  const { rows } = await pgPool().query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = ANY($1::text[])`,
    [kinds],
  );
  return rows[0].n;
}

async function versionsOf(shop: string) {
  const { rows } = await pgPool().query<{ id: string; title: string; prices: string[] }>(
    `SELECT p.id::text, p.title, array_agg(v.price::text ORDER BY v.id) AS prices
       FROM product p JOIN product_variant v ON v.shop = p.shop AND v.product_id = p.id
      WHERE p.shop = $1 AND p.deleted_at IS NULL AND v.deleted_at IS NULL GROUP BY p.id, p.title ORDER BY p.id`,
    [shop],
  );
  return rows.map((r) => ({ id: Number(r.id), version: r.title, prices: r.prices }));
}

describe("a real ingest killed in the middle of a merge", () => {
  it("leaves whole batches only (each product with its variants), and the retry converges", async () => {
    const shop = "killed-ingest.myshopify.com";
    await createConnection(shop);
    const v1 = exportFile("v1.jsonl", 1);
    const first = startChild(shop, v1);
    expect((await first.exited).code).toBe(0);

    // Version 2: the merge of batch 3 (products 11-15) meets the test's lock on product 13 and waits there.
    const v2 = exportFile("v2.jsonl", 2);
    const release = await lockProduct(shop, 13);
    const second = startChild(shop, v2);
    try {
      await waitUntil(async () => (await waitingOn(["transactionid", "tuple"])) > 0, 30_000, 50);
      second.child.kill("SIGKILL");
      expect((await second.exited).signal).toBe("SIGKILL");
    } finally {
      await release(); // the dead session's backend finds its client gone and rolls its batch back
    }
    // The killed ingest's backend ends once it finds its client gone: no session is left inside a transaction.
    await waitUntil(
      async () => {
        const { rows } = await pgPool().query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND (wait_event_type = 'Lock' OR state LIKE 'idle in transaction%')`,
        );
        return rows[0].n === 0;
      },
      10_000,
      50,
    );

    // Batches 1 and 2 committed whole; batch 3 not at all; nothing half-written.
    const after = await versionsOf(shop);
    expect(after).toHaveLength(PRODUCTS);
    for (const row of after) {
      const version = row.id <= 2 * BATCH ? 2 : 1;
      expect(row).toEqual({ id: row.id, version: `v${version}`, prices: Array(VARIANTS_PER).fill(`${version}0.00`) });
    }

    // The retry (the same file again) converges.
    const retry = startChild(shop, v2);
    const done = await retry.exited;
    expect(done.code).toBe(0);
    expect(
      (await versionsOf(shop)).every((row) => row.version === "v2" && row.prices.every((p) => p === "20.00")),
    ).toBe(true);
  }, 90_000);
});

describe("two ingests of one shop at once", () => {
  it("serialise on the shop's ingest lock: the second waits for the first, then runs whole", async () => {
    const shop = "concurrent-ingest.myshopify.com";
    await createConnection(shop);
    const v1 = exportFile("c-v1.jsonl", 1);
    expect((await startChild(shop, v1).exited).code).toBe(0);

    // Ingest A (v2 of products 1-20) is held inside its third batch; B (v3 of products 101-120) starts meanwhile.
    const release = await lockProduct(shop, 13);
    const a = startChild(shop, exportFile("c-a.jsonl", 2));
    let b: ReturnType<typeof startChild> | undefined;
    try {
      await waitUntil(async () => (await waitingOn(["transactionid", "tuple"])) > 0, 30_000, 50);
      b = startChild(shop, exportFile("c-b.jsonl", 3, 101));
      // B waits for A's per-shop lock instead of merging beside it.
      await waitUntil(async () => (await waitingOn(["advisory"])) > 0, 30_000, 50);
      expect(
        await pgPool()
          .query("SELECT 1 FROM product WHERE shop = $1 AND id > 100", [shop])
          .then((r) => r.rowCount),
      ).toBe(0);
    } finally {
      await release();
    }
    expect((await a.exited).code).toBe(0);
    expect((await b!.exited).code).toBe(0);

    // A finished whole, then B ran whole: B's complete export is the catalogue, A's products soft-deleted.
    const live = await versionsOf(shop);
    expect(live.map((r) => r.id)).toEqual([...Array(PRODUCTS)].map((_, i) => 101 + i));
    expect(live.every((r) => r.version === "v3")).toBe(true);
  }, 90_000);
});
