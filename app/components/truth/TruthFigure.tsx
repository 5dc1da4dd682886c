import { BlockStack, Card, DataTable, Text } from "@shopify/polaris";
import { formatPercent, formatShare, truthShares, type TruthFigure } from "~/verification/truth-figure";

// The "truth" figure of a shop (app/verification): how much of what it lists was read back from Shopify, and how
// often that differed. One wording for the admin merchant page and the sync monitor.

export interface ShopTruthView {
  shop: string;
  at: string;
  figure: TruthFigure;
}

function mismatchText(figure: TruthFigure, window: "24h" | "7d"): string {
  const { mismatches, checks } = figure[window];
  return checks > 0 ? `${mismatches} of ${checks} (${formatPercent(mismatches / checks)})` : "none verified";
}

/** The admin merchant page's lines. */
export function TruthFigureLines({ truth }: { truth: ShopTruthView | null }) {
  if (!truth) return <Text as="p">Truth: not verified against Shopify in the last 7 days</Text>;
  const { figure } = truth;
  return (
    <div data-testid="truth-figure">
      <BlockStack gap="050">
        <Text as="p" fontWeight="semibold">
          Truth (verified against Shopify, {truth.at.slice(0, 16).replace("T", " ")} UTC)
        </Text>
        <Text as="p">
          Listed variants verified: {formatShare(figure["24h"].verified, figure.listed)} in 24 h,{" "}
          {formatShare(figure["7d"].verified, figure.listed)} in 7 days
        </Text>
        <Text as="p">
          Mismatches: {mismatchText(figure, "24h")} in 24 h, {mismatchText(figure, "7d")} in 7 days
        </Text>
      </BlockStack>
    </div>
  );
}

/** The sync monitor's card: the shops with the worst 24-hour mismatch rate first. */
export function TruthFigureTable({ figures }: { figures: ShopTruthView[] }) {
  const rows = figures.map(({ shop, figure }) => {
    const day = truthShares(figure, "24h");
    const week = truthShares(figure, "7d");
    return [
      shop,
      figure.listed,
      day.verifiedShare === null ? "-" : formatPercent(day.verifiedShare),
      week.verifiedShare === null ? "-" : formatPercent(week.verifiedShare),
      mismatchText(figure, "24h"),
      mismatchText(figure, "7d"),
    ];
  });
  return (
    <Card>
      <div data-testid="truth-figures">
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            Truth: the marketplace against Shopify
          </Text>
          <Text as="p" tone="subdued" variant="bodySm">
            Listed variants read back from Shopify by the hourly verification, and how many differed (worst first).
          </Text>
          {rows.length === 0 ? (
            <Text as="p">No shop verified in the last 7 days.</Text>
          ) : (
            <DataTable
              columnContentTypes={["text", "numeric", "numeric", "numeric", "text", "text"]}
              headings={[
                "Shop",
                "Listed variants",
                "Verified 24 h",
                "Verified 7 days",
                "Mismatches 24 h",
                "Mismatches 7 days",
              ]}
              rows={rows}
            />
          )}
        </BlockStack>
      </div>
    </Card>
  );
}
