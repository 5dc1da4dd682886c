import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { insertProduct, insertVariant } from "./fixtures";
import { createConnection } from "../support/merchants";

// `npm run integrity` as an operator runs it: a child process on this test file's database, a dry run that changes
// nothing and prints what a real run would do, then the real run.

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");
const SHOP = "cli-integrity.myshopify.com";

async function integrity(...args: string[]) {
  try {
    const { stdout, stderr } = await run(path.join(root, "node_modules/.bin/tsx"), ["scripts/integrity.ts", ...args], {
      cwd: root,
      env: process.env,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The table's row of one check, as its cells. */
function row(stdout: string, check: string): string[] | undefined {
  const line = stdout.split("\n").find((l) => l.startsWith(`${check} `));
  return line?.split(/\s{2,}/);
}

beforeAll(async () => {
  await createConnection(SHOP);
  await insertProduct(SHOP, 1, { deletedAt: new Date(), listed: true }); // deleted in Shopify, still listed: repaired
  await insertProduct(SHOP, 2);
  await insertVariant(SHOP, 21, 2, { price: "-1.00" }); // flagged
  await insertVariant(SHOP, 22, 2, { price: "10.00" });
});

describe("npm run integrity", () => {
  it("--dry-run prints what a real run would repair and flag, and changes nothing", async () => {
    const { code, stdout } = await integrity("--shop", SHOP, "--dry-run");
    expect(code).toBe(0);
    expect(stdout).toContain(`Integrity check of ${SHOP} (dry run: nothing was changed)`);
    expect(stdout).toMatch(/^check\s+action\s+found\s+outcome\s+examples$/m);
    expect(row(stdout, "deleted_product_listed")).toEqual([
      "deleted_product_listed",
      "repair",
      "1",
      "would repair",
      "1: deleted in Shopify but still listed",
    ]);
    expect(row(stdout, "invalid_price")).toEqual(["invalid_price", "flag", "1", "would flag", "21: price is -1.00"]);
    expect(row(stdout, "duplicate_sku")).toEqual(["duplicate_sku", "flag", "0", "nothing found"]);
    expect(stdout).toContain("A real run would repair 1 and flag 1.");

    expect((await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: 1n } } })).listed).toBe(true);
    expect(await prisma.integrityFinding.count({ where: { shop: SHOP, outcome: { not: "WOULD_FIX" } } })).toBe(0);
    expect(await prisma.alert.count({ where: { shop: SHOP } })).toBe(0);
  }, 120_000);

  it("without --dry-run repairs, flags and raises the price alert, as the weekly run does", async () => {
    const { code, stdout } = await integrity("--shop", SHOP);
    expect(code).toBe(0);
    expect(row(stdout, "deleted_product_listed")?.slice(0, 4)).toEqual([
      "deleted_product_listed",
      "repair",
      "1",
      "repaired",
    ]);
    expect(row(stdout, "invalid_price")?.slice(0, 4)).toEqual(["invalid_price", "flag", "1", "flagged"]);
    expect((await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: 1n } } })).listed).toBe(false);
    expect(await prisma.integrityFinding.count({ where: { shop: SHOP, outcome: "FLAGGED" } })).toBe(1);
    expect(await prisma.alert.count({ where: { shop: SHOP, type: "DATA_INTEGRITY_ISSUE" } })).toBe(1);
  }, 120_000);

  it("refuses an unknown shop and bad arguments with a message, exit 1", async () => {
    expect(await integrity("--shop", "nobody.myshopify.com")).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("no merchant connection for nobody.myshopify.com"),
    });
    expect(await integrity()).toMatchObject({ code: 1, stderr: expect.stringContaining("--shop is required") });
    expect(await integrity("--shop", "not a shop")).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("--shop not a shop"),
    });
  }, 120_000);
});
