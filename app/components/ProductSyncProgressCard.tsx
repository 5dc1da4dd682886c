import { BlockStack, Card, InlineStack, ProgressBar, Text } from "@shopify/polaris";

// A long product sync while it runs (Shopify building the export, the import, the merge) and what the last one
// changed: on the merchant page, the admin merchant page and the sync monitor (app/sync/product-sync-progress.server.ts).

export interface ProductSyncProgressView {
  shop: string;
  operationId: string;
  stage: "exporting" | "importing" | "merging";
  startedAt: string;
  objectCount: number | null;
  linesRead: number | null;
}

export interface FinishedProductSyncView {
  finishedAt: string;
  productsWritten: number;
  productsDeleted: number;
  variantsWritten: number;
  variantsDeleted: number;
}

const count = (n: number | null) => (n ?? 0).toLocaleString("en");

export function describeStage(sync: ProductSyncProgressView): string {
  if (sync.stage === "exporting") return `Shopify is building the export: ${count(sync.objectCount)} objects so far`;
  if (sync.stage === "importing") return `Importing: ${count(sync.linesRead)} of ${count(sync.objectCount)} lines read`;
  return `Merging ${count(sync.linesRead)} lines into the catalogue`;
}

function percent(sync: ProductSyncProgressView): number | null {
  if (sync.stage === "merging") return 100;
  if (sync.stage !== "importing" || !sync.objectCount) return null;
  return Math.min(100, Math.round(((sync.linesRead ?? 0) / sync.objectCount) * 100));
}

export function ProductSyncProgressCard({
  inProgress,
  lastRun,
  showShop = false,
}: {
  inProgress: ProductSyncProgressView[];
  lastRun?: FinishedProductSyncView | null;
  showShop?: boolean;
}) {
  if (inProgress.length === 0 && !lastRun) return null;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {inProgress.length > 0 ? "Product sync running" : "Last product sync"}
        </Text>
        {inProgress.map((sync) => {
          const done = percent(sync);
          return (
            <BlockStack key={sync.operationId} gap="100">
              <InlineStack gap="200">
                {showShop && (
                  <Text as="span" fontWeight="semibold">
                    {sync.shop}
                  </Text>
                )}
                <Text as="span">
                  <span data-testid="sync-progress-stage">{describeStage(sync)}</span>
                </Text>
                <Text as="span" tone="subdued">
                  started {sync.startedAt.slice(0, 10)} {sync.startedAt.slice(11, 19)} UTC
                </Text>
              </InlineStack>
              {done !== null && <ProgressBar progress={done} size="small" />}
            </BlockStack>
          );
        })}
        {lastRun && (
          <Text as="p" tone="subdued">
            <span data-testid="sync-last-run">
              Last finished {lastRun.finishedAt.slice(0, 10)} {lastRun.finishedAt.slice(11, 19)} UTC:{" "}
              {count(lastRun.productsWritten)} products added or updated, {count(lastRun.productsDeleted)} deleted;{" "}
              {count(lastRun.variantsWritten)} variants added or updated, {count(lastRun.variantsDeleted)} deleted.
            </span>
          </Text>
        )}
      </BlockStack>
    </Card>
  );
}
