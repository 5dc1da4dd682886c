// Numbers the products of a bulk export while it is read, so the staged lines need no second, numbered copy: a
// product's `ord` is given at the first changed line that names it (its own line or a variant's __parentId), and
// every changed line of the product carries it, so the merge takes batches of ords with all their variants.
// Products whose lines are all unchanged get no ord (nothing of them is merged), so a daily re-ingest with a
// handful of changes merges a handful of products in one batch.
// It also sees what the database cannot be told cheaply: which ids came twice (the last line must win), which
// unchanged line follows a changed line of the same object (it must then be staged, to win), and which products
// have no usable line (their variants are orphans, never merged).
// Memory: one entry per product and one per changed variant, a few tens of bytes each; not the file.

/** A map key for a numeric id: a number while it is exact (15 digits or fewer), else its digits. */
export type IdKey = number | string;
export const idKey = (id: string): IdKey => (id.length <= 15 ? Number(id) : id);
/** Ids the unchanged-line map may hold (exact as numbers, and the same keys idKey gives their digits). */
export const KNOWN_ID_LIMIT = 999_999_999_999_999;

const HAS_LINE = 1; // the product has a usable line, changed or unchanged
const CHANGED_LINE = 2; // the product's own changed line was staged
const ORD_UNIT = 4; // the ord sits above the two flags

export class ExportNumbering {
  private readonly products = new Map<IdKey, number>();
  private readonly changedVariants = new Set<IdKey>();
  private nextOrd = 1;
  /** Some product or variant had more than one changed line: the staged copy must keep only the last. */
  duplicates = false;

  private ordOf(product: IdKey, flags: number): number {
    const entry = this.products.get(product) ?? 0;
    let ord = Math.floor(entry / ORD_UNIT);
    if (ord === 0) ord = this.nextOrd++;
    this.products.set(product, ord * ORD_UNIT + ((entry % ORD_UNIT) | flags));
    return ord;
  }

  /** A changed product line: its ord. */
  productLine(id: IdKey): number {
    if ((this.products.get(id) ?? 0) & CHANGED_LINE) this.duplicates = true;
    return this.ordOf(id, HAS_LINE | CHANGED_LINE);
  }

  /** A changed variant line: its product's ord. */
  variantLine(id: IdKey, product: IdKey): number {
    if (this.changedVariants.has(id)) this.duplicates = true;
    else this.changedVariants.add(id);
    return this.ordOf(product, 0);
  }

  /**
   * An unchanged product line. False when a changed line of the product came earlier: this later line must win, so
   * the caller stages it like a changed one.
   */
  unchangedProduct(id: IdKey): boolean {
    const entry = this.products.get(id) ?? 0;
    if (entry & CHANGED_LINE) return false;
    this.products.set(id, entry | HAS_LINE);
    return true;
  }

  /** An unchanged variant line; false (stage it) when a changed line of the variant came earlier. */
  unchangedVariant(id: IdKey): boolean {
    return !this.changedVariants.has(id);
  }

  /** Products with a usable line, changed or not. */
  get productsWithLine(): number {
    let count = 0;
    for (const entry of this.products.values()) if (entry & HAS_LINE) count++;
    return count;
  }

  /** The ords of products that only variants named: their variants are orphans. */
  orphanOrds(): number[] {
    const ords: number[] = [];
    for (const entry of this.products.values()) {
      if (!(entry & HAS_LINE) && entry >= ORD_UNIT) ords.push(Math.floor(entry / ORD_UNIT));
    }
    return ords;
  }

  /** The highest ord given: batches of ords up to it hold every changed product and variant. */
  get lastOrd(): number {
    return this.nextOrd - 1;
  }
}
