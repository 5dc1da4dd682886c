// Array parameters for the statements that unnest a whole batch (the inventory apply: five arrays of 250 per page),
// written as PostgreSQL array literals here rather than by node-postgres, which quotes and escapes every element
// and formats every Date in the local time zone, and whose timestamptz text the server then parses back. Together
// that was ~0.7 ms of a ~6 ms page (npm run bench -- inventory, profiled).
// Only for values whose text needs no quoting: integers, booleans and null. A time goes as its epoch milliseconds,
// and SQL turns it back with to_timestamp(ms / 1000.0), exact at a Date's millisecond precision.

function literal(elements: readonly string[]): string {
  return `{${elements.join(",")}}`;
}

/** bigint[] / int[]: each value an integer (a JS number must be a safe one) or null. */
export function integerArray(values: readonly (bigint | number | null | undefined)[]): string {
  return literal(
    values.map((value) => {
      if (value === null || value === undefined) return "NULL";
      if (typeof value === "number" && !Number.isSafeInteger(value)) throw new Error(`not an integer: ${value}`);
      return value.toString();
    }),
  );
}

/** boolean[]: true, false or null. */
export function booleanArray(values: readonly (boolean | null | undefined)[]): string {
  return literal(values.map((value) => (value === null || value === undefined ? "NULL" : value ? "t" : "f")));
}

/** bigint[] of epoch milliseconds, for `to_timestamp(ms / 1000.0)`. An invalid Date is refused, not sent. */
export function epochMillisArray(values: readonly Date[]): string {
  return literal(
    values.map((value) => {
      const ms = value.getTime();
      if (Number.isNaN(ms)) throw new Error("not a valid date");
      return ms.toString();
    }),
  );
}
