import { describe, expect, it } from "vitest";
import { INTEGRITY_CHECKS } from "../../app/integrity/checks";
import { FINDING_CHECKS } from "../../app/integrity/list-findings.server";
import { TRUTH_MISMATCH_CHECK } from "../../app/verification/repair-mismatches.server";

// The findings page's check filter is derived from the checks' registry, never a list of its own.

describe("the findings page's checks", () => {
  it("offer every registered integrity check and the verification's mismatches, each once", () => {
    expect([...FINDING_CHECKS].sort()).toEqual([...INTEGRITY_CHECKS.map((c) => c.name), TRUTH_MISMATCH_CHECK].sort());
    expect(new Set(FINDING_CHECKS).size).toBe(FINDING_CHECKS.length);
  });
});
