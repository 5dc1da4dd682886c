import { describe, expect, it } from "vitest";
import { pgPool } from "../../app/db.server";
import { booleanArray, epochMillisArray, integerArray } from "../../app/database/sql-arrays";

// The array literals the inventory apply sends instead of node-postgres's own: what PostgreSQL reads back must be
// exactly the values, and a value that has no literal form here is refused before it is sent.

describe("array literals for batch parameters", () => {
  it("reads back as the same integers, booleans and nulls in PostgreSQL", async () => {
    const { rows } = await pgPool().query<{ ids: string[]; counts: (number | null)[]; flags: (boolean | null)[] }>(
      "SELECT $1::bigint[]::text[] AS ids, $2::int[] AS counts, $3::boolean[] AS flags",
      [
        integerArray([9007199254740993n, 1n, -5n]),
        integerArray([0, null, -12, undefined]),
        booleanArray([true, false, null, undefined]),
      ],
    );
    expect(rows[0]).toEqual({
      ids: ["9007199254740993", "1", "-5"],
      counts: [0, null, -12, null],
      flags: [true, false, null, null],
    });
    expect(integerArray([])).toBe("{}");
  });

  it("carries a Date as epoch milliseconds that to_timestamp turns back into the same instant", async () => {
    const dates = [new Date("2026-11-30T23:59:59.999Z"), new Date("1999-01-01T00:00:00.001Z"), new Date(0)];
    const { rows } = await pgPool().query<{ at: Date }>(
      "SELECT to_timestamp(ms / 1000.0) AS at FROM unnest($1::bigint[]) WITH ORDINALITY AS x(ms, n) ORDER BY n",
      [epochMillisArray(dates)],
    );
    expect(rows.map((r) => r.at.toISOString())).toEqual(dates.map((d) => d.toISOString()));
  });

  it("refuses what has no literal form here instead of sending it", () => {
    expect(() => integerArray([1.5])).toThrow("not an integer: 1.5");
    expect(() => integerArray([Number.NaN])).toThrow("not an integer");
    expect(() => integerArray([2 ** 53])).toThrow("not an integer");
    expect(() => epochMillisArray([new Date("not a date")])).toThrow("not a valid date");
  });
});
