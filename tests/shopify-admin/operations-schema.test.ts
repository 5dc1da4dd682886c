import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  getOperationAST,
  Kind,
  parse,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type FragmentDefinitionNode,
} from "graphql";
import { describe, expect, it } from "vitest";
import * as operations from "../../app/shopify-admin/operations";
import { MAX_PAGE_SIZE } from "../../app/shopify-admin/page-size";
import { requestedCost, MAX_QUERY_COST } from "../../emulator/cost";
import { checkBulkQuery } from "../../emulator/bulk/bulk-query";
import { adminSchema, BUNDLED_ADMIN_SCHEMA_PATH } from "../../emulator/schema";

const documents = Object.entries(operations).filter((entry): entry is [string, string] => typeof entry[1] === "string");

function costAt(source: string, variables: Record<string, unknown>): number {
  const document = parse(source);
  const operation = getOperationAST(document)!;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  return requestedCost(adminSchema(), operation, fragments, variables);
}

describe("the app's GraphQL documents against Shopify's 2026-01 Admin schema", () => {
  it("is the schema the project carries, byte for byte Shopify's (sha256 in emulator/shopify-admin-schema/README.md)", () => {
    const sha256 = createHash("sha256").update(readFileSync(BUNDLED_ADMIN_SCHEMA_PATH)).digest("hex");
    expect(sha256).toBe("df6a69cdb2cac4d2dfb6a120f96eacc23178163b36340e8d6128fe128b9c6b34");
    expect(path.relative(process.cwd(), BUNDLED_ADMIN_SCHEMA_PATH).startsWith("..")).toBe(false);
  });

  it("finds the documents of app/shopify-admin/operations.ts", () => {
    expect(documents.length).toBeGreaterThanOrEqual(11);
  });

  it.each(documents)("%s is valid", (_name, source) => {
    const errors = validate(adminSchema(), parse(source)).map((e) => e.message);
    expect(errors).toEqual([]);
  });

  it.each(documents)("%s uses no field or argument Shopify deprecates in 2026-01", (_name, source) => {
    const typeInfo = new TypeInfo(adminSchema());
    const deprecated: string[] = [];
    visit(
      parse(source),
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          const field = typeInfo.getFieldDef();
          const parent = typeInfo.getParentType();
          if (field?.deprecationReason)
            deprecated.push(`${parent?.name}.${node.name.value}: ${field.deprecationReason}`);
        },
        Argument(node) {
          const argument = typeInfo.getArgument();
          if (argument?.deprecationReason)
            deprecated.push(`argument ${node.name.value}: ${argument.deprecationReason}`);
        },
        EnumValue(node) {
          const value = typeInfo.getEnumValue();
          if (value?.deprecationReason) deprecated.push(`enum value ${node.value}: ${value.deprecationReason}`);
        },
      }),
    );
    expect(deprecated).toEqual([]);
  });

  it("the bulk product export passes Shopify's bulk query rules", () => {
    const check = checkBulkQuery(operations.BULK_PRODUCT_EXPORT_QUERY);
    expect(check.ok ? "ok" : check.message).toBe("ok");
  });

  it("the bulk inventory read passes Shopify's bulk query rules (two connections, nested two deep)", () => {
    const check = checkBulkQuery(operations.bulkInventoryReadQuery([1n, 2n]));
    expect(check.ok ? "ok" : check.message).toBe("ok");
  });

  it("paginated documents stay under the 1,000-point query limit at their page size", () => {
    const costs = {
      locations: costAt(operations.LOCATIONS_QUERY, { first: operations.LOCATIONS_PAGE_SIZE }),
      variants: costAt(operations.PRODUCT_VARIANTS_QUERY, { first: operations.PRODUCT_VARIANTS_PAGE_SIZE }),
      inventory: costAt(operations.INVENTORY_LEVELS_QUERY, {
        locationId: "gid://shopify/Location/1",
        first: operations.INVENTORY_LEVELS_PAGE_SIZE,
      }),
      productIds: costAt(operations.PRODUCT_IDS_QUERY, {
        ids: Array.from({ length: operations.PRODUCT_IDS_MAX }, (_, i) => `gid://shopify/Product/${i + 1}`),
      }),
      verifyVariants: costAt(operations.VERIFY_VARIANTS_QUERY, {
        ids: Array.from({ length: operations.VERIFY_VARIANTS_MAX }, (_, i) => `gid://shopify/ProductVariant/${i + 1}`),
      }),
    };
    for (const [name, cost] of Object.entries(costs))
      expect({ name, ok: cost <= MAX_QUERY_COST, cost }).toMatchObject({ name, ok: true });
    // The verification's levels page is the constant it reasons with.
    expect(operations.VERIFY_VARIANTS_QUERY).toContain(`inventoryLevels(first: ${operations.VERIFY_LEVELS_PER_ITEM})`);
    // The levels page is Shopify's largest (first <= 250), at 3 points a level (the level, its quantities, its item):
    // the variant, its policy and product are the product sync's, and 7 points a level would not fit 250.
    expect(operations.INVENTORY_LEVELS_PAGE_SIZE).toBe(MAX_PAGE_SIZE);
    expect(costs.inventory).toBe(3 + MAX_PAGE_SIZE * 3);
  });

  it("no GraphQL document lives anywhere else in app/ (one module holds them all)", () => {
    const appDir = path.resolve(__dirname, "../../app");
    const operationsFile = path.join(appDir, "shopify-admin/operations.ts");
    const strays: string[] = [];
    const invalid: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/\.(ts|tsx)$/.test(entry.name) && full !== operationsFile) {
          const text = readFileSync(full, "utf8");
          for (const match of text.matchAll(
            /`(\s*(?:#graphql\s*)?(?:query|mutation|subscription)(?:\s+[A-Za-z_]\w*)?\s*[({][^`]*)`/g,
          )) {
            const source = match[1];
            strays.push(path.relative(appDir, full));
            try {
              if (validate(adminSchema(), parse(source)).length > 0) invalid.push(path.relative(appDir, full));
            } catch {
              invalid.push(path.relative(appDir, full));
            }
          }
        }
      }
    };
    walk(appDir);
    expect(invalid, "GraphQL documents in app/ that Shopify's 2026-01 schema rejects").toEqual([]);
    expect(
      strays,
      "GraphQL documents outside app/shopify-admin/operations.ts: move them there and import them",
    ).toEqual([]);
  });
});
