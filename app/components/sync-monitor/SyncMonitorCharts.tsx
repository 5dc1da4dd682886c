import { BarChart, PolarisVizProvider } from "@shopify/polaris-viz";
import { BlockStack, Card, InlineGrid, Text } from "@shopify/polaris";

// Loaded only in the browser (SyncMonitorPage imports it lazily after hydration): polaris-viz measures the DOM
// and animates with react-spring, which has nothing to measure during server rendering. It draws SVG from the
// data given, with no network access.
//
// Both charts are bar charts over the same day keys, so their axes name the same days. A polaris-viz LineChart
// never draws its last x-axis label ("so they don't spill outside the chart area", XAxis.js): the success rate
// seemed to end a day before the events chart (11-30 against 12-01) although it had a point for every day.

export interface DailyPoint {
  date: string;
  total: number;
  succeeded: number;
  successRate: number | null;
}

export default function SyncMonitorCharts({ daily }: { daily: DailyPoint[] }) {
  const label = (date: string) => date.slice(5); // MM-DD: the year is in the filter
  const successRate = [
    {
      name: "Success rate",
      data: daily.map((d) => ({
        key: label(d.date),
        value: d.successRate === null ? null : Math.round(d.successRate * 1000) / 10,
      })),
    },
  ];
  const volume = [
    { name: "Succeeded", data: daily.map((d) => ({ key: label(d.date), value: d.succeeded })) },
    { name: "Failed or partial", data: daily.map((d) => ({ key: label(d.date), value: d.total - d.succeeded })) },
  ];
  return (
    <PolarisVizProvider>
      <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
        <Card>
          <BlockStack gap="200">
            <Text as="h2" variant="headingSm">
              Success rate per day
            </Text>
            <div style={{ height: 240 }} data-testid="chart-success-rate">
              <BarChart
                theme="Light"
                data={successRate}
                showLegend={false}
                isAnimated={false}
                yAxisOptions={{ labelFormatter: (value) => `${value}%`, maxYOverride: 100 }}
              />
            </div>
          </BlockStack>
        </Card>
        <Card>
          <BlockStack gap="200">
            <Text as="h2" variant="headingSm">
              Events per day
            </Text>
            <div style={{ height: 240 }} data-testid="chart-volume">
              <BarChart theme="Light" data={volume} type="stacked" isAnimated={false} />
            </div>
          </BlockStack>
        </Card>
      </InlineGrid>
    </PolarisVizProvider>
  );
}
