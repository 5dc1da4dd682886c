import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { catalogue, gid, productLine, variantLine } from "./export-fixtures";

// The replay CLI as operators run it: a child process on this test file's database.

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(path.join(tmpdir(), "sync-ingest-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function syncIngest(...args: string[]) {
  try {
    const { stdout, stderr } = await run(
      path.join(root, "node_modules/.bin/tsx"),
      ["scripts/sync-ingest.ts", ...args],
      {
        cwd: root,
        env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function lastJsonLine(stdout: string) {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

describe("npm run sync:ingest", () => {
  const file = path.join(dir, "export.jsonl");
  writeFileSync(
    file,
    [...catalogue(3, 2), JSON.stringify({ id: gid("MediaImage", 1), __parentId: gid("Product", 1) }), "{broken"].join(
      "\n",
    ), // no trailing newline, like Shopify's files
  );

  it("refuses an unknown shop with a clear message", async () => {
    const result = await syncIngest("--shop", "cli.myshopify.com", "--file", file);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown shop cli\.myshopify\.com.*--create-shop/);
  });

  it("refuses a missing file", async () => {
    const result = await syncIngest(
      "--shop",
      "cli.myshopify.com",
      "--file",
      path.join(dir, "nope.jsonl"),
      "--create-shop",
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Export file not found: .*nope\.jsonl/);
  });

  it("with --create-shop registers the shop, ingests, and prints a one-line JSON summary last; a replay is idempotent", async () => {
    const first = await syncIngest("--shop", "cli.myshopify.com", "--file", file, "--create-shop");
    expect(first.code).toBe(0);
    expect(lastJsonLine(first.stdout)).toMatchObject({
      linesRead: 11,
      productsWritten: 3,
      variantsWritten: 6,
      skippedByType: { MediaImage: 1 },
      malformedCount: 1,
      malformedLines: [{ line: 11, error: expect.stringMatching(/invalid JSON/) }],
      totals: { products: 3, variants: 6 },
    });

    const again = await syncIngest("--shop", "cli.myshopify.com", "--file", file);
    expect(lastJsonLine(again.stdout)).toMatchObject({
      productsWritten: 0,
      variantsWritten: 0,
      totals: { products: 3, variants: 6 },
    });
  }, 60_000);

  it("a complete replay soft-deletes what the file no longer has", async () => {
    const smaller = path.join(dir, "smaller.jsonl");
    writeFileSync(smaller, [productLine(1), variantLine(100, 1)].join("\n") + "\n");
    const result = await syncIngest("--shop", "cli.myshopify.com", "--file", smaller);
    expect(lastJsonLine(result.stdout)).toMatchObject({
      productsDeleted: 2,
      variantsDeleted: 5,
      totals: { products: 1, variants: 1 },
    });
  }, 60_000);
});
