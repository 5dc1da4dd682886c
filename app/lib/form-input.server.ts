import { json } from "@remix-run/node";
import type { z } from "zod";

// Route input is untrusted: a malformed form or query string is the client's mistake, answered with a 400 that says
// what is wrong, never a 500 from deeper down.

export type ActionOutcome = { ok: true; message: string } | { ok: false; error: string };

/** Parses `input` with `schema`, or throws a 400 JSON response listing the problems. */
export function parseOr400<Schema extends z.ZodTypeAny>(
  schema: Schema,
  input: FormData | URLSearchParams,
): z.infer<Schema> {
  const parsed = schema.safeParse(Object.fromEntries(input.entries()));
  if (!parsed.success) {
    const error = parsed.error.issues.map((issue) => `${issue.path.join(".") || "form"}: ${issue.message}`).join("; ");
    throw json<ActionOutcome>({ ok: false, error }, { status: 400 });
  }
  return parsed.data;
}

export function done(message: string) {
  return json<ActionOutcome>({ ok: true, message });
}
