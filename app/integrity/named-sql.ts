// Integrity checks are written with named parameters (`:shop`, `:now::timestamptz`) because the runner wraps each
// check's query in a larger statement (repair, findings, counts) whose positional numbering the check cannot know.

export interface BoundSql {
  text: string;
  values: unknown[];
}

// `:name` not preceded by another colon, so `::type` casts are left alone.
const NAMED_PARAMETER = /(?<![:\w]):([a-zA-Z_][a-zA-Z0-9_]*)/g;

/** Replaces each `:name` with `$n` (the same name always gets the same number); throws on a missing value. */
export function bindNamed(text: string, values: Record<string, unknown>): BoundSql {
  const positions = new Map<string, number>();
  const ordered: unknown[] = [];
  const bound = text.replace(NAMED_PARAMETER, (_match, name: string) => {
    if (!(name in values)) throw new Error(`SQL parameter :${name} has no value`);
    let position = positions.get(name);
    if (position === undefined) {
      ordered.push(values[name]);
      position = ordered.length;
      positions.set(name, position);
    }
    return `$${position}`;
  });
  return { text: bound, values: ordered };
}
