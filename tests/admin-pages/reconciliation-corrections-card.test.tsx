import { renderToString } from "react-dom/server";
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { describe, expect, it } from "vitest";
import {
  ReconciliationCorrectionsCard,
  type ReconciliationCorrectionsRow,
} from "../../app/components/ReconciliationCorrectionsCard";

// The card of what the reconciliations corrected, as the sync monitor (every shop) and a merchant's page (one) show it.

const text = (rows: ReconciliationCorrectionsRow[], showShop: boolean) =>
  renderToString(
    <AppProvider i18n={en}>
      <ReconciliationCorrectionsCard rows={rows} range="2026-11-25 to 2026-12-01" showShop={showShop} />
    </AppProvider>,
  )
    .replace(/<!-- -->/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ");

describe("the reconciliation corrections card", () => {
  const row = {
    shop: "alpha.myshopify.com",
    runs: 7,
    corrected: 12,
    levels: 4200,
    lastAt: "2026-12-01T01:31:07.000Z",
    lastCorrected: 3,
  };

  it("shows per shop the runs, what they corrected and the latest run", () => {
    const html = text([row], true);
    expect(html).toContain("Missed by the hourly sync and webhooks");
    expect(html).toMatch(/alpha\.myshopify\.com 7 12 4200 2026-12-01 01:31 UTC: 3 corrected/);
  });

  it("leaves the shop out on a merchant's own page, and says when there was no reconciliation", () => {
    expect(text([row], false)).not.toContain("alpha.myshopify.com");
    expect(text([], false)).toContain("No inventory reconciliation in this range.");
  });
});
