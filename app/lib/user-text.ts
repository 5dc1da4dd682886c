import { z } from "zod";

// Text typed by people (form fields, search boxes, filters in the URL) is untrusted: a NUL byte is refused by
// PostgreSQL (a 500 deep inside a query), other control characters have no business in a shop domain, an email or
// a search, and an unbounded string is an unbounded query. Every such field is parsed with userText(), so it is
// bounded and clean before it reaches any SQL; shared by server and browser code.

// eslint-disable-next-line no-control-regex -- the point is to match control characters
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

export function hasControlCharacters(value: string): boolean {
  return CONTROL_CHARACTERS.test(value);
}

/** A trimmed string of at most `max` characters without control characters (min 0 unless given). */
export function userText(max: number, min = 0) {
  return z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((value) => !hasControlCharacters(value), "must not contain control characters");
}

/**
 * For filters: the value when it parses, else undefined (the filter's default) — a hand-edited or stale URL shows
 * the default view instead of an error page.
 */
export function optionalFilter<Schema extends z.ZodTypeAny>(schema: Schema) {
  return z.unknown().transform((value): z.infer<Schema> | undefined => {
    const parsed = schema.safeParse(value);
    return parsed.success ? parsed.data : undefined;
  });
}
