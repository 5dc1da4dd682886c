import { numericId } from "./ids";

// Shopify's `query:` search syntax, the part apps use: `field:value`, comparisons (`updated_at:>'2024-01-01T00:00:00Z'`,
// `id:>=123`), quoted values, comma lists (`status:active,draft`), `-field:value` / `NOT`, implicit or explicit AND,
// OR, parentheses, a trailing `*` for prefix matches, and bare words matched against the title. Unknown fields
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

export function compileSearch<T>(
  query: string | null | undefined,
  fields: SearchFields<T>,
  textField?: (item: T) => string,
): (item: T) => boolean {
  if (!query || !query.trim()) return () => true;
  const tokens =
    query.match(/-?[A-Za-z_.]+:(?:>=|<=|>|<)?(?:'[^']*'|"[^"]*"|[^\s()]+)|'[^']*'|"[^"]*"|[()]|[^\s()]+/g) ?? [];
  const position = { next: 0 };
  const predicate = parseQuery(tokens, position, fields, textField);
  if (position.next < tokens.length) throw new Error(`Unbalanced parenthesis in search query ${JSON.stringify(query)}`);
  return predicate;
}

type Predicate<T> = (item: T) => boolean;

// Shopify's grammar (https://shopify.dev/docs/api/usage/search-syntax) is `Query = Term { [ Connective ] Term }`,
// with `( Query )` as a term, and documents no precedence between AND and OR. The emulator reads connectives left to
// right, `a b OR c d` as `((a AND b) OR c) AND d`: a query that needs a precedence must say it with parentheses,
// which is the only reading Shopify promises.
function parseQuery<T>(
  tokens: string[],
  position: { next: number },
  fields: SearchFields<T>,
  textField?: (item: T) => string,
): Predicate<T> {
  let result: Predicate<T> | null = null;
  let connective: "AND" | "OR" = "AND";
  let negateNext = false;
  while (position.next < tokens.length) {
    const token = tokens[position.next++];
    if (token === ")") break;
    if (token === "AND" || token === "OR") {
      connective = token;
      continue;
    }
    if (token === "NOT") {
      negateNext = true;
      continue;
    }
    let term: Predicate<T> | null;
    if (token === "(") {
      term = parseQuery(tokens, position, fields, textField);
      if (tokens[position.next - 1] !== ")") throw new Error("Unbalanced parenthesis in search query");
    } else {
      term = compileTerm(parseTerm(token), fields, textField);
    }
    // Unknown fields are ignored, as Shopify ignores them.
    if (term && negateNext) {
      const inner = term;
      term = (item) => !inner(item);
    }
    negateNext = false;
    if (term) result = combine(result, connective, term);
    connective = "AND";
  }
  return result ?? (() => true);
}

function combine<T>(left: Predicate<T> | null, connective: "AND" | "OR", right: Predicate<T>): Predicate<T> {
  if (left === null) return right;
  return connective === "OR" ? (item) => left(item) || right(item) : (item) => left(item) && right(item);
}

function parseTerm(token: string): Term {
  const match = /^(-?)([A-Za-z_.]+):(>=|<=|>|<)?(.*)$/.exec(token);
  return match
    ? {
        field: match[2].toLowerCase(),
        comparator: (match[3] as Comparator | undefined) ?? ":",
        value: unquote(match[4]),
        negated: match[1] === "-",
      }
    : { field: null, comparator: ":", value: unquote(token), negated: false };
}

function unquote(value: string): string {
  if (value.length >= 2 && (value[0] === "'" || value[0] === '"') && value.at(-1) === value[0])
    return value.slice(1, -1);
  return value;
}

function compileTerm<T>(
  term: Term,
  fields: SearchFields<T>,
  textField?: (item: T) => string,
): ((item: T) => boolean) | null {
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
