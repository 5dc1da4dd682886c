// Turns one line of the bulk product export into a typed record, validating by hand (this runs 400,000 times per
// 100k-product shop; a schema library would cost more than the database work saved by COPY).
//
// The export's shape is app/shopify-admin's bulk product query: a Product line
//   {"id":"gid://shopify/Product/1","title":..,"handle":..,"vendor":..,"productType":..,"status":"ACTIVE",
//    "tags":[..],"updatedAt":".."}
// and, for each of its variants, a line of its own carrying its parent's id (not necessarily right after it):
//   {"id":"gid://shopify/ProductVariant/7","title":..,"sku":..,"price":"12.50","compareAtPrice":null,
//    "inventoryPolicy":"DENY","inventoryItem":{"id":"gid://shopify/InventoryItem/9","tracked":true},"updatedAt":"..",
//    "__parentId":"gid://shopify/Product/1"}
// Fields missing from a line stay null: nothing is invented.

import { parseGid } from "~/shopify-admin/gid";

export const PRODUCT_STATUSES = ["ACTIVE", "ARCHIVED", "DRAFT", "UNLISTED"] as const;
export type ProductStatusValue = (typeof PRODUCT_STATUSES)[number];

export interface ProductLine {
  kind: "product";
  id: string; // numeric Shopify id, as digits (BIGINT in the database)
  title: string | null;
  handle: string | null;
  vendor: string | null;
  productType: string | null;
  status: ProductStatusValue | null;
  tags: string[] | null;
  updatedAt: string | null; // ISO 8601
}

export interface VariantLine {
  kind: "variant";
  id: string;
  productId: string;
  title: string | null;
  sku: string | null;
  price: string | null; // decimal string, never a float
  compareAtPrice: string | null;
  inventoryItemId: string | null;
  /** InventoryItem.tracked; null when the line does not say. */
  tracked: boolean | null;
  inventoryPolicy: "DENY" | "CONTINUE" | null;
  updatedAt: string | null;
}

/** A line of a type the sync does not ingest (media, metafields, ...): counted by type, not an error. */
export interface SkippedLine {
  kind: "skipped";
  type: string;
}

/**
 * A line that could not be used. `productId`/`variantId` are set when the line still names its object, so a complete
 * export does not soft-delete an object just because its line was damaged.
 */
export interface MalformedLine {
  kind: "malformed";
  error: string;
  productId?: string;
  variantId?: string;
  variantProductId?: string;
}

export type BulkExportLine = ProductLine | VariantLine | SkippedLine | MalformedLine;

const DECIMAL = /^-?\d{1,12}(?:\.\d+)?$/; // fits DECIMAL(14,2) once rounded

// ISO 8601 as Shopify writes it; PostgreSQL parses these itself, so a valid one is passed through untouched
// (cheaper than Date.parse + toISOString on every line).
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})$/;

class LineError extends Error {}

// JSON may carry a NUL character (\u0000) in a string; PostgreSQL's text cannot store one, and a single one would
// make COPY reject the whole file on every retry. Such a line is malformed like any other: counted, named in the
// summary, its object kept as it was (not deleted), and the rest of the file ingested. The products/* webhooks treat
// such a payload the same way (apply-product-webhook.server.ts).
export const NUL = "\u0000";
export const NUL_PROBLEM = "contains a NUL character (\\u0000), which PostgreSQL cannot store";
const nulError = (field: string) => new LineError(`${field} ${NUL_PROBLEM}`);

function optionalString(record: Record<string, unknown>, field: string): string | null {
  const value = record[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw new LineError(`${field} is not a string`);
  if (value.includes(NUL)) throw nulError(field);
  return value;
}

function optionalDecimal(record: Record<string, unknown>, field: string): string | null {
  const value = record[field];
  if (value === undefined || value === null) return null;
  const text = typeof value === "number" && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== "string" || !DECIMAL.test(text)) throw new LineError(`${field} is not a decimal amount`);
  return text;
}

function optionalTimestamp(record: Record<string, unknown>, field: string): string | null {
  const value = record[field];
  if (value === undefined || value === null) return null;
  if (typeof value === "string" && ISO_TIMESTAMP.test(value)) {
    const month = Number(value.slice(5, 7));
    const day = Number(value.slice(8, 10));
    if (month >= 1 && month <= 12 && day >= 1 && day <= 31 && Number(value.slice(11, 13)) <= 23) return value;
  }
  // Anything else that is still a date is normalised; the rest is an error.
  const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new LineError(`${field} is not a timestamp`);
  return new Date(ms).toISOString();
}

function parseProduct(record: Record<string, unknown>, id: string): ProductLine {
  const status = record.status;
  if (status !== undefined && status !== null && !PRODUCT_STATUSES.includes(status as ProductStatusValue)) {
    throw new LineError(`status ${JSON.stringify(status)} is not a product status`);
  }
  const tags = record.tags;
  if (tags !== undefined && tags !== null && (!Array.isArray(tags) || tags.some((t) => typeof t !== "string"))) {
    throw new LineError("tags is not a list of strings");
  }
  if (Array.isArray(tags) && tags.some((t: string) => t.includes(NUL))) throw nulError("tags");
  return {
    kind: "product",
    id,
    title: optionalString(record, "title"),
    handle: optionalString(record, "handle"),
    vendor: optionalString(record, "vendor"),
    productType: optionalString(record, "productType"),
    status: (status as ProductStatusValue | null | undefined) ?? null,
    tags: (tags as string[] | null | undefined) ?? null,
    updatedAt: optionalTimestamp(record, "updatedAt"),
  };
}

function inventoryItemOf(record: Record<string, unknown>): { id: string | null; tracked: boolean | null } {
  const item = record.inventoryItem;
  if (item === undefined || item === null) return { id: null, tracked: null };
  const fields = item as Record<string, unknown>;
  const gid = parseGid(fields.id);
  if (!gid || gid.type !== "InventoryItem") throw new LineError("inventoryItem.id is not an InventoryItem gid");
  const tracked = fields.tracked;
  if (tracked !== undefined && tracked !== null && typeof tracked !== "boolean")
    throw new LineError("inventoryItem.tracked is not a boolean");
  return { id: gid.id, tracked: (tracked as boolean | null | undefined) ?? null };
}

function inventoryPolicyOf(record: Record<string, unknown>): "DENY" | "CONTINUE" | null {
  const policy = record.inventoryPolicy;
  if (policy === undefined || policy === null) return null;
  if (policy !== "DENY" && policy !== "CONTINUE")
    throw new LineError(`inventoryPolicy ${JSON.stringify(policy)} is not DENY or CONTINUE`);
  return policy;
}

function parseVariant(record: Record<string, unknown>, id: string, productId: string): VariantLine {
  const item = inventoryItemOf(record);
  return {
    kind: "variant",
    id,
    productId,
    title: optionalString(record, "title"),
    sku: optionalString(record, "sku"),
    price: optionalDecimal(record, "price"),
    compareAtPrice: optionalDecimal(record, "compareAtPrice"),
    inventoryItemId: item.id,
    tracked: item.tracked,
    inventoryPolicy: inventoryPolicyOf(record),
    updatedAt: optionalTimestamp(record, "updatedAt"),
  };
}

export function parseBulkExportLine(text: string): BulkExportLine {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    return { kind: "malformed", error: `invalid JSON: ${(error as Error).message}` };
  }
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    return { kind: "malformed", error: "not a JSON object" };
  }
  const fields = record as Record<string, unknown>;
  const gid = parseGid(fields.id);
  if (!gid) {
    // A line without a Shopify gid is not a product or variant we could be missing; count it by what it says it is.
    if (typeof fields.id === "string" && /^gid:\/\/shopify\/(Product|ProductVariant)\//.test(fields.id)) {
      return { kind: "malformed", error: `invalid id ${JSON.stringify(fields.id)}` };
    }
    if (fields.id === undefined) return { kind: "malformed", error: "no id" };
    return { kind: "skipped", type: typeof fields.id === "string" ? fields.id.split("/")[3] || "unknown" : "unknown" };
  }
  try {
    if (gid.type === "Product") return parseProduct(fields, gid.id);
    if (gid.type === "ProductVariant") {
      const parent = parseGid(fields.__parentId);
      if (!parent || parent.type !== "Product") {
        return { kind: "malformed", error: "variant without a Product __parentId", variantId: gid.id };
      }
      try {
        return parseVariant(fields, gid.id, parent.id);
      } catch (error) {
        if (error instanceof LineError) {
          return { kind: "malformed", error: error.message, variantId: gid.id, variantProductId: parent.id };
        }
        throw error;
      }
    }
  } catch (error) {
    if (error instanceof LineError) return { kind: "malformed", error: error.message, productId: gid.id };
    throw error;
  }
  return { kind: "skipped", type: gid.type };
}
