import { BlockStack, Card, DataTable, Link, Text } from "@shopify/polaris";

// What the daily inventory reconciliations corrected per shop: the measure of what the hourly sync and the
// inventory webhooks missed (docs/decisions/008). Its own card, shown on the sync monitor and a merchant's page.

/** How far back a merchant's admin page sums them. */
export const RECONCILIATION_HISTORY_DAYS = 30;

export interface ReconciliationCorrectionsRow {
  shop: string;
  runs: number;
  corrected: number;
  levels: number;
  lastAt: string;
  lastCorrected: number;
}

export function ReconciliationCorrectionsCard({
  rows,
  range,
  showShop,
}: {
  rows: ReconciliationCorrectionsRow[];
  range: string;
  showShop: boolean;
}) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          Missed by the hourly sync and webhooks
        </Text>
        <Text as="p" tone="subdued">
          Variants whose stock the daily reconciliation had to correct, {range}.
        </Text>
        {rows.length === 0 ? (
          <Text as="p">
            <span data-testid="reconciliation-corrections-empty">No inventory reconciliation in this range.</span>
          </Text>
        ) : (
          <div data-testid="reconciliation-corrections">
            <DataTable
              columnContentTypes={[...(showShop ? (["text"] as const) : []), "numeric", "numeric", "numeric", "text"]}
              headings={[...(showShop ? ["Merchant"] : []), "Reconciliations", "Corrected", "Levels read", "Latest"]}
              rows={rows.map((row) => [
                ...(showShop
                  ? [
                      <Link key="shop" url={`/admin/merchants/${encodeURIComponent(row.shop)}`}>
                        {row.shop}
                      </Link>,
                    ]
                  : []),
                row.runs,
                row.corrected,
                row.levels,
                `${row.lastAt.slice(0, 16).replace("T", " ")} UTC: ${row.lastCorrected} corrected`,
              ])}
            />
          </div>
        )}
      </BlockStack>
    </Card>
  );
}
