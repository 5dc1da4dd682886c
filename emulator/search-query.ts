import { numericId } from "./ids";

// Shopify's `query:` search syntax, the part apps use: `field:value`, comparisons (`updated_at:>'2024-01-01T00:00:00Z'`,
// `id:>=123`), quoted values, comma lists (`status:active,draft`), `-field:value` / `NOT`, implicit or explicit AND,
// OR between groups, a trailing `*` for prefix matches, and bare words matched against the title. Unknown fields
// are ignored, as Shopify ignores them.

type Comparator = ":" | ">" | ">=" | "<" | "<=";

interface Term {
  field: string | null;
  comparator: Comparator;
  value: string;
  negated: boolean;
}

export type SearchValue = string | number | null | undefined | string[];

// How each searchable field of a resource is read; dates and ids compare as numbers.
export interface SearchFields<T> {
  [field: string]: { kind: "date" | "number" | "text" | "id"; get: (item: T) => SearchValue };
}

export function compileSearch<T>(query: string | null | undefined, fields: SearchFields<T>, textField?: (item: T) => string): (item: T) => boolean {
  if (!query || !query.trim()) return () => true;
  const groups = parse(query);
  const predicates = groups.map((terms) =>
    terms
      .map((term) => compileTerm(term, fields, textField))
      .filter((p): p is (item: T) => boolean => p !== null),
  );
  return (item) => predicates.some((group) => group.every((p) => p(item)));
}

function parse(query: string): Term[][] {
  const tokens = query.match(/-?[A-Za-z_.]+:(?:>=|<=|>|<)?(?:'[^']*'|"[^"]*"|\S+)|'[^']*'|"[^"]*"|\S+/g) ?? [];
  const groups: Term[][] = [[]];
  let negateNext = false;
  for (const token of tokens) {
    if (token === "AND") continue;
    if (token === "OR") {
      groups.push([]);
      continue;
    }
    if (token === "NOT") {
      negateNext = true;
      continue;
    }
    const match = /^(-?)([A-Za-z_.]+):(>=|<=|>|<)?(.*)$/.exec(token);
    const term: Term = match
      ? { field: match[2].toLowerCase(), comparator: (match[3] as Comparator | undefined) ?? ":", value: unquote(match[4]), negated: match[1] === "-" }
      : { field: null, comparator: ":", value: unquote(token), negated: false };
    if (negateNext) term.negated = !term.negated;
    negateNext = false;
    groups[groups.length - 1].push(term);
  }
  return groups;
}

function unquote(value: string): string {
  if (value.length >= 2 && (value[0] === "'" || value[0] === '"') && value.at(-1) === value[0]) return value.slice(1, -1);
  return value;
}

function compileTerm<T>(term: Term, fields: SearchFields<T>, textField?: (item: T) => string): ((item: T) => boolean) | null {
  let test: ((item: T) => boolean) | null;
  if (term.field === null) {
    const needle = term.value.toLowerCase();
    test = textField ? (item) => textField(item).toLowerCase().includes(needle) : null;
  } else {
    const field = fields[term.field];
    test = field ? compileFieldTest(field, term) : null;
  }
  if (!test) return null;
  return term.negated ? (item) => !test(item) : test;
}

function compileFieldTest<T>(field: SearchFields<T>[string], term: Term): ((item: T) => boolean) | null {
  if (field.kind === "date" || field.kind === "number" || field.kind === "id") {
    const toNumber = (raw: string): number | null => {
      if (field.kind === "date") {
        const parsed = Date.parse(raw);
        return Number.isNaN(parsed) ? null : parsed;
      }
      if (field.kind === "id") return numericId(raw);
      const parsed = Number(raw);
      return Number.isNaN(parsed) ? null : parsed;
    };
    const wanted = term.value.split(",").map(toNumber);
    if (wanted.some((w) => w === null)) return () => false;
    const targets = wanted as number[];
    return (item) => {
      const raw = field.get(item);
      if (typeof raw !== "number") return false;
      // Shopify keeps timestamps to the second, so `updated_at:>'…:05Z'` leaves out a change made at :05.7 too.
      const value = field.kind === "date" ? Math.floor(raw / 1000) * 1000 : raw;
      return targets.some((target) => compare(value, term.comparator, target));
    };
  }
  const alternatives = term.value.toLowerCase().split(",");
  return (item) => {
    const raw = field.get(item);
    const values = Array.isArray(raw) ? raw : [raw];
    return values.some((value) => {
      if (value === null || value === undefined) return false;
      const text = String(value).toLowerCase();
      return alternatives.some((alt) => {
        if (term.comparator !== ":") return compare(text.localeCompare(alt), term.comparator, 0);
        return alt.endsWith("*") ? text.startsWith(alt.slice(0, -1)) : text === alt;
      });
    });
  };
}

function compare(a: number, comparator: Comparator, b: number): boolean {
  switch (comparator) {
    case ":":
      return a === b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
  }
}
