import { Banner, BlockStack, Box, Button, Card, InlineStack, Layout, Page, Spinner, Text } from "@shopify/polaris";
import { Suspense, lazy, useEffect, useState } from "react";
import { KeysetPagination } from "~/components/KeysetPagination";
import { ProductSyncProgressCard, type ProductSyncProgressView } from "~/components/ProductSyncProgressCard";
import {
  ReconciliationCorrectionsCard,
  type ReconciliationCorrectionsRow,
} from "~/components/ReconciliationCorrectionsCard";
import { TruthFigureTable, type ShopTruthView } from "~/components/truth/TruthFigure";
import { syncMonitorSearch, type PageCursor, type SyncMonitorQuery } from "~/monitoring/sync-monitor-query";
import type { DailyPoint } from "./SyncMonitorCharts";
import { SyncMonitorFilters } from "./SyncMonitorFilters";
import { SyncMonitorStatsCards } from "./SyncMonitorStatsCards";
import { SyncMonitorTable, type SyncEventListItem } from "./SyncMonitorTable";

const SyncMonitorCharts = lazy(() => import("./SyncMonitorCharts"));

export interface SyncMonitorPageProps {
  query: SyncMonitorQuery;
  ignored: string[];
  shops: Array<{ shop: string; name: string }>;
  stats: {
    total: number;
    failed: number;
    successRate: number | null;
    averageProcessingTimeMs: number | null;
    p95ProcessingTimeMs: number | null;
    daily: DailyPoint[];
  };
  events: SyncEventListItem[];
  /** The latest truth figure of the filtered merchant, or of the shops with the worst mismatch rates. */
  truth: ShopTruthView[];
  /** Product syncs running now (under the merchant filter). */
  syncsRunning: ProductSyncProgressView[];
  /** What the inventory reconciliations corrected per shop, in the range. */
  reconciliation: ReconciliationCorrectionsRow[];
  next: PageCursor | null;
  previous: PageCursor | null;
  generatedAt: string;
  refreshing: boolean;
  refreshSeconds: number;
}

function ChartsAfterHydration({ daily }: { daily: DailyPoint[] }) {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  const placeholder = (
    <Card>
      <Box minHeight="272px">
        <InlineStack align="center" blockAlign="center">
          <Spinner size="small" accessibilityLabel="Loading charts" />
        </InlineStack>
      </Box>
    </Card>
  );
  if (!hydrated) return placeholder;
  return (
    <Suspense fallback={placeholder}>
      <SyncMonitorCharts daily={daily} />
    </Suspense>
  );
}

export function SyncMonitorPage(props: SyncMonitorPageProps) {
  const { query, stats } = props;
  const exportSearch = syncMonitorSearch(query, { cursor: null });
  return (
    <Page
      fullWidth
      title="Sync monitor"
      subtitle={`${query.fromDay} to ${query.toDay} (UTC)`}
      primaryAction={
        <Button url={`/admin/sync-monitor/export.csv${exportSearch}`} download>
          Export CSV
        </Button>
      }
    >
      <Layout>
        {props.ignored.length > 0 ? (
          <Layout.Section>
            <Banner tone="warning" title="Some filters in the address were not understood">
              Ignored, with their defaults used instead: {props.ignored.join(", ")}.
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <SyncMonitorFilters key={exportSearch} query={query} shops={props.shops} />
          </Card>
        </Layout.Section>
        {props.syncsRunning.length > 0 && (
          <Layout.Section>
            <ProductSyncProgressCard inProgress={props.syncsRunning} showShop />
          </Layout.Section>
        )}
        <Layout.Section>
          <SyncMonitorStatsCards {...stats} />
        </Layout.Section>
        <Layout.Section>
          <TruthFigureTable figures={props.truth} />
        </Layout.Section>
        <Layout.Section>
          <ChartsAfterHydration daily={stats.daily} />
        </Layout.Section>
        <Layout.Section>
          <ReconciliationCorrectionsCard
            rows={props.reconciliation}
            range={`${query.fromDay} to ${query.toDay}`}
            showShop={!query.shop}
          />
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            <SyncMonitorTable events={props.events} query={query} />
            <KeysetPagination
              previous={props.previous}
              next={props.next}
              href={(cursor) => syncMonitorSearch(query, { cursor })}
            >
              <Text as="span" tone="subdued" variant="bodySm">
                Updated {props.generatedAt.slice(11, 19)} UTC · refreshes every {props.refreshSeconds} s while open
                {props.refreshing ? " · refreshing…" : ""}
              </Text>
            </KeysetPagination>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <BlockStack />
        </Layout.Section>
      </Layout>
    </Page>
  );
}
