// Shopify ids are global: a product id never repeats across shops. One allocator per resource type, shared by
// every shop of an emulator, keeps that true here; the bases only make the numbers look like Shopify's.
export type ResourceType =
  | "Shop"
  | "Product"
  | "ProductVariant"
  | "InventoryItem"
  | "Location"
  | "BulkOperation"
  | "WebhookSubscription"
  | "Order";

const BASES: Record<ResourceType, number> = {
  Shop: 60_000_000,
  Product: 8_000_000_000,
  ProductVariant: 44_000_000_000,
  InventoryItem: 46_000_000_000,
  Location: 70_000_000,
  BulkOperation: 3_000_000_000,
  WebhookSubscription: 1_200_000_000,
  Order: 5_500_000_000,
};

// Operations created while the emulator runs must not repeat the ids of an earlier run either: the app keeps them
// (bulk_operation rows survive a restarted demo). Seeded catalog ids stay deterministic.
const PER_RUN_TYPES = new Set<ResourceType>(["BulkOperation", "WebhookSubscription"]);
const RUN_OFFSET = Math.floor(Date.now() / 1000) * 1000;

export class IdAllocator {
  private readonly next = new Map<ResourceType, number>();

  allocate(type: ResourceType): number {
    const start = BASES[type] + (PER_RUN_TYPES.has(type) ? RUN_OFFSET : 0);
    const id = (this.next.get(type) ?? start) + 1;
    this.next.set(type, id);
    return id;
  }
}

export function gid(type: string, id: number | string): string {
  return `gid://shopify/${type}/${id}`;
}

export function inventoryLevelGid(locationId: number, inventoryItemId: number): string {
  return `gid://shopify/InventoryLevel/${locationId}?inventory_item_id=${inventoryItemId}`;
}

export interface ParsedGid {
  type: string;
  id: number;
  params: URLSearchParams;
}

export function parseGid(value: string): ParsedGid | null {
  const match = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)(?:\?(.*))?$/.exec(value);
  if (!match) return null;
  return { type: match[1], id: Number(match[2]), params: new URLSearchParams(match[3] ?? "") };
}

// Accepts either a gid of the expected type or a bare numeric id, as Shopify's search syntax does.
export function numericId(value: string | number, type?: string): number | null {
  if (typeof value === "number") return value;
  if (/^\d+$/.test(value)) return Number(value);
  const parsed = parseGid(value);
  if (!parsed || (type && parsed.type !== type)) return null;
  return parsed.id;
}

// Shopify's DateTime values have second precision and a Z suffix.
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
