import { BlockStack, Card, InlineGrid, Text } from "@shopify/polaris";
import { formatDuration, formatPercent } from "./format";

interface SyncMonitorStatsCardsProps {
  total: number;
  failed: number;
  successRate: number | null;
  averageProcessingTimeMs: number | null;
  p95ProcessingTimeMs: number | null;
}

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="bodySm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingXl">
          <span data-testid={testId}>{value}</span>
        </Text>
      </BlockStack>
    </Card>
  );
}

export function SyncMonitorStatsCards(stats: SyncMonitorStatsCardsProps) {
  return (
    <InlineGrid columns={{ xs: 2, md: 4 }} gap="400">
      <Figure label="Events" value={stats.total.toLocaleString("en")} testId="stat-total" />
      <Figure
        label={`Success rate (${stats.failed.toLocaleString("en")} failed)`}
        value={formatPercent(stats.successRate)}
        testId="stat-success-rate"
      />
      <Figure label="Average duration" value={formatDuration(stats.averageProcessingTimeMs)} testId="stat-average" />
      <Figure label="p95 duration" value={formatDuration(stats.p95ProcessingTimeMs)} testId="stat-p95" />
    </InlineGrid>
  );
}
