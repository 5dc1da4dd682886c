import { readFileSync } from "node:fs";
import wasm from "@prisma/prisma-schema-wasm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// schema.prisma is the model; the hand-written migrations are what runs (docs/decisions/001-migrations-offline.md).
// This test reads both and fails on any difference: tables, columns, types, nullability, defaults, enums,
// primary keys, unique constraints and indexes (with their column order and sort direction).

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "enum" | "object";
  type: string;
  isList: boolean;
  isRequired: boolean;
  hasDefaultValue: boolean;
  nativeType?: [string, string[]] | null;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: "id" | "unique" | "normal" | "fulltext";
  fields: { name: string; sortOrder?: "asc" | "desc" }[];
}
interface Datamodel {
  models: DmmfModel[];
  enums: { name: string; values: { name: string }[] }[];
  indexes: DmmfIndex[];
}

// Objects that exist only in SQL because Prisma's schema language cannot express them. Each needs a reason.
const SQL_ONLY_INDEXES: Record<string, string> = {
  alert_open_dedupe_key_key:
    "partial unique index (WHERE status <> 'RESOLVED'): one open alert per incident, the target of notifyAdmins' upsert",
  sync_event_stats_idx:
    "covering index (INCLUDE event_type, status, processing_time_ms): index-only scans for getSyncStats",
  sync_event_shop_stats_idx:
    "covering index (INCLUDE event_type, status, processing_time_ms): index-only scans for getSyncStats of one shop",
  sync_event_duration_rank_idx:
    "expression index on sync_duration_bucket(processing_time_ms): the exact p95 of the sync monitor's statistics",
  sync_event_processing_time_id_idx:
    "expression index on coalesce(processing_time_ms, -1): the monitor's duration sort",
  sync_event_item_count_id_idx: "expression index on coalesce(item_count, -1): the monitor's item count sort",
  product_variant_shop_product_id_idx:
    "covering index (shop, product_id) INCLUDE (deleted_at, out_of_stock): catalog health's index-only counts, no quantity (HOT stock updates)",
  product_shop_id_health_idx:
    "covering index (shop, id) INCLUDE (listed, deleted_at): catalog health's index-only counts",
  webhook_delivery_pending_idx:
    "partial expression index (shop, split_part(topic, '/', 1), received_at) WHERE payload IS NOT NULL: a shop's pending deliveries of one stream, for its coalescing job and the sweep",
  integrity_finding_unresolved_listing_idx:
    "partial expression index (flagged first, WHERE resolved_at IS NULL): the findings page's default order",
  integrity_finding_open_flagged_shop_idx:
    "partial index (shop) WHERE FLAGGED and not resolved: catalog health's open findings of a page of shops, index-only",
};

const datamodel: Datamodel = JSON.parse(
  wasm.get_dmmf(JSON.stringify({ prismaSchema: readFileSync("prisma/schema.prisma", "utf8") })),
).datamodel;

function columnName(field: DmmfField) {
  return field.dbName ?? field.name;
}

function expectedSqlType(field: DmmfField): string {
  if (field.isList) {
    const element = expectedSqlType({ ...field, isList: false });
    return `${element}[]`;
  }
  if (field.kind === "enum") return field.type;
  const native = field.nativeType;
  switch (field.type) {
    case "String":
      return "text";
    case "Int":
      return native?.[0] === "SmallInt" ? "smallint" : "integer";
    case "BigInt":
      return "bigint";
    case "Boolean":
      return "boolean";
    case "Json":
      return native?.[0] === "Json" ? "json" : "jsonb";
    case "DateTime":
      if (native?.[0] === "Date") return "date";
      return native?.[0] === "Timestamptz"
        ? `timestamp(${native[1][0] ?? 6}) with time zone`
        : "timestamp(3) without time zone";
    case "Decimal":
      return native?.[0] === "Decimal" ? `numeric(${native[1].join(",")})` : "numeric(65,30)";
    default:
      throw new Error(`No SQL type mapping for Prisma type ${field.type}`);
  }
}

let client: pg.Client;

beforeAll(async () => {
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
});
afterAll(async () => {
  await client.end();
});

describe("schema.prisma and the migrated database", () => {
  it("have the same tables", async () => {
    const { rows } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`,
    );
    const expected = datamodel.models.map((m) => m.dbName ?? m.name).sort();
    expect(rows.map((r) => r.table_name).sort()).toEqual(expected);
  });

  it("have the same enums and enum values", async () => {
    const { rows } = await client.query<{ name: string; values: string[] }>(
      `SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS values
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
         JOIN pg_namespace n ON n.oid = t.typnamespace AND n.nspname = 'public'
        GROUP BY t.typname ORDER BY t.typname`,
    );
    const expected = datamodel.enums
      .map((e) => ({ name: e.name, values: e.values.map((v) => v.name) }))
      .sort((a, b) => a.name.localeCompare(b.name));
    expect(rows).toEqual(expected);
  });

  for (const model of datamodel.models) {
    const table = model.dbName ?? model.name;
    it(`agree on every column of ${table}: type, nullability, default`, async () => {
      const { rows } = await client.query<{ column: string; type: string; nullable: boolean; has_default: boolean }>(
        `SELECT a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
                NOT a.attnotnull AS nullable, a.atthasdef AS has_default
           FROM pg_attribute a
          WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
          ORDER BY a.attname`,
        [`public.${table}`],
      );
      const expected = model.fields
        .filter((f) => f.kind !== "object")
        .map((f) => ({
          column: columnName(f),
          type: expectedSqlType(f),
          // Prisma creates list columns nullable, and so do our migrations.
          nullable: f.isList ? true : !f.isRequired,
          has_default: f.hasDefaultValue,
        }))
        .sort((a, b) => a.column.localeCompare(b.column));
      // format_type quotes mixed-case enum names ("ApprovalStatus"); compare names, not quoting.
      const actual = rows.map((r) => ({ ...r, type: r.type.replaceAll('"', "") }));
      expect(actual).toEqual(expected);
    });
  }

  it("have the same primary keys, unique constraints and indexes", async () => {
    const { rows } = await client.query<{
      table: string;
      name: string;
      unique: boolean;
      primary: boolean;
      columns: string[];
    }>(
      `SELECT t.relname AS table, i.relname AS name, ix.indisunique AS unique, ix.indisprimary AS primary,
              array_agg(a.attname || CASE WHEN (ix.indoption[k.ord - 1] & 1) = 1 THEN ' desc' ELSE '' END
                        ORDER BY k.ord)::text[] AS columns
         FROM pg_index ix
         JOIN pg_class t ON t.oid = ix.indrelid
         JOIN pg_class i ON i.oid = ix.indexrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
         CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
        WHERE t.relname <> '_prisma_migrations'
        GROUP BY t.relname, i.relname, ix.indisunique, ix.indisprimary, ix.indoption`,
    );
    const signature = (table: string, kind: string, columns: string[]) => `${table} ${kind} (${columns.join(", ")})`;
    const actual = rows
      .filter((r) => !(r.name in SQL_ONLY_INDEXES))
      .map((r) => signature(r.table, r.primary ? "primary" : r.unique ? "unique" : "index", r.columns))
      .sort();
    const expected = datamodel.indexes
      .map((index) => {
        const model = datamodel.models.find((m) => m.name === index.model)!;
        const columns = index.fields.map((f) => {
          const field = model.fields.find((mf) => mf.name === f.name)!;
          return columnName(field) + (f.sortOrder === "desc" ? " desc" : "");
        });
        const kind = index.type === "id" ? "primary" : index.type === "unique" ? "unique" : "index";
        return signature(model.dbName ?? model.name, kind, columns);
      })
      .sort();
    expect(actual).toEqual(expected);
  });
});
