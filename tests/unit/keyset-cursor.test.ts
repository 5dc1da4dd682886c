import { describe, expect, it } from "vitest";
import { readCursor, writeCursor, type CursorPart, type KeysetCursor } from "../../app/lib/keyset-cursor";

// The keyset cursor as the URL carries it: what goes in comes back, and anything else is dropped, never passed on.

const read = (search: string, parts: CursorPart[]) => readCursor(new URLSearchParams(search), parts);

describe("keyset cursor in the URL", () => {
  it("round-trips through a query string with the filters beside it", () => {
    const cursors: Array<[KeysetCursor, CursorPart[]]> = [
      [{ side: "after", key: [1_778_414_400_123], id: "42" }, ["epochMs"]],
      [{ side: "before", key: [-1], id: "7" }, ["int"]],
      [{ side: "after", key: [1, 1_778_414_400_123], id: "999999999999999999" }, ["int", "epochMs"]],
      [{ side: "before", key: [0, 1_778_414_400_123_456], id: "3" }, ["int", "epochUs"]],
    ];
    for (const [cursor, parts] of cursors) {
      const search = writeCursor(new URLSearchParams({ shop: "a.myshopify.com" }), cursor).toString();
      expect(new URLSearchParams(search).get("shop")).toBe("a.myshopify.com");
      expect(read(search, parts)).toEqual({ cursor, ignored: [] });
    }
    expect(writeCursor(new URLSearchParams("status=OPEN"), null).toString()).toBe("status=OPEN");
  });

  it("takes `after` before `before`, and an empty one as absent", () => {
    expect(read("after=5_1&before=6_2", ["int"]).cursor).toEqual({ side: "after", key: [5], id: "1" });
    expect(read("after=&before=6_2", ["int"]).cursor).toEqual({ side: "before", key: [6], id: "2" });
    expect(read("", ["int"])).toEqual({ cursor: null, ignored: [] });
  });

  it("drops what does not parse, or what the column could not hold, and says which", () => {
    const garbage: Array<[string, CursorPart[]]> = [
      ["after=abc", ["int"]],
      ["after=5", ["int"]], // no id
      ["after=5_6_7", ["int"]], // a part too many
      ["after=1_5", ["int", "epochMs"]], // a part short
      ["after=5_-1", ["int"]],
      ["after=5_1e3", ["int"]],
      ["after=5.5_1", ["int"]],
      ["after=_1", ["int"]],
      ["after=1_9999999999999999999", ["int"]], // beyond bigint
      ["after=2147483648_1", ["int"]],
      ["after=-99999999999999_1", ["epochMs"]], // before year 1
      ["after=253402300800000_1", ["epochMs"]], // after year 9999
      ["after=9007199254740993_1", ["epochUs"]],
      ["after=1_1;DROP TABLE alert", ["int"]],
    ];
    for (const [search, parts] of garbage)
      expect(read(search, parts), search).toEqual({ cursor: null, ignored: ["after"] });
    expect(read("after=x&before=y", ["int"])).toEqual({ cursor: null, ignored: ["after", "before"] });
    expect(read("after=x&before=3_4", ["int"])).toEqual({
      cursor: { side: "before", key: [3], id: "4" },
      ignored: ["after"],
    });
  });
});
