import { Form } from "@remix-run/react";
import { BlockStack, Button, ButtonGroup, Card, DataTable, InlineStack, Page, TextField } from "@shopify/polaris";
import { useState } from "react";
import type { CatalogHealth } from "~/analytics/catalog-health.server";
import type { Serialized } from "~/lib/serialized";
import { KeysetPagination } from "../KeysetPagination";
import { formatWhen } from "./ActionOutcomeBanner";
import { EmptyTableMessage } from "./EmptyTableMessage";
import { ApprovalBadge, ConnectionBadges, type ApprovalStatusName } from "./merchant-badges";

export type MerchantHealthView = Serialized<CatalogHealth>;

export function merchantUrl(shop: string): string {
  return `/admin/merchants/${encodeURIComponent(shop)}`;
}

export interface MerchantsQueryView {
  q?: string;
  approval?: ApprovalStatusName;
}

interface MerchantsPageProps {
  merchants: MerchantHealthView[];
  counts: Record<ApprovalStatusName, number>;
  query: MerchantsQueryView;
  next: string | null;
  previous: string | null;
}

const TABS: Array<{ approval: ApprovalStatusName | undefined; label: string }> = [
  { approval: undefined, label: "All" },
  { approval: "PENDING", label: "Pending" },
  { approval: "APPROVED", label: "Approved" },
  { approval: "SUSPENDED", label: "Suspended" },
  { approval: "REJECTED", label: "Rejected" },
];

/** Where a page starts: after (next page) or before (previous page) a shop domain. */
interface MerchantsCursor {
  side: "after" | "before";
  shop: string;
}

/** The list's URL: the search and the status tab, and the page cursor when there is one. */
function merchantsSearch(query: MerchantsQueryView, cursor?: MerchantsCursor): string {
  const params = new URLSearchParams();
  if (query.q) params.set("q", query.q);
  if (query.approval) params.set("approval", query.approval);
  if (cursor) params.set(cursor.side, cursor.shop);
  const text = params.toString();
  return `/admin/merchants${text ? `?${text}` : ""}`;
}

export function MerchantsPage({ merchants, counts, query, next, previous }: MerchantsPageProps) {
  const [search, setSearch] = useState(query.q ?? "");
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  const rows = merchants.map((m) => [
    <Button key="shop" variant="plain" url={merchantUrl(m.shop)}>
      {m.shop}
    </Button>,
    <InlineStack key="connection" gap="100">
      <ConnectionBadges active={m.active} syncPaused={m.syncPaused} />
    </InlineStack>,
    <ApprovalBadge key="approval" status={m.approvalStatus} />,
    `${m.productsListed} / ${m.products}`,
    `${m.variantsOutOfStock} / ${m.variantsListed}`,
    m.openFindings,
    m.openAlerts,
    formatWhen(m.lastProductSyncAt),
    formatWhen(m.lastInventorySyncAt),
    formatWhen(m.lastIntegrityCheckAt),
  ]);
  return (
    <Page
      title="Merchants"
      subtitle={`${total} ${total === 1 ? "shop" : "shops"}${query.q ? ` matching "${query.q}"` : ", connected or known"}`}
    >
      <BlockStack gap="400">
        <InlineStack gap="400" align="space-between" blockAlign="end" wrap>
          <ButtonGroup variant="segmented">
            {TABS.map((tab) => (
              <Button
                key={tab.label}
                url={merchantsSearch({ q: query.q, approval: tab.approval })}
                pressed={tab.approval === query.approval}
              >
                {`${tab.label} (${tab.approval ? counts[tab.approval] : total})`}
              </Button>
            ))}
          </ButtonGroup>
          {/* A GET form: the search lands in the URL (shareable; back returns), the status tab is kept. */}
          <Form method="get" aria-label="Search merchants">
            <InlineStack gap="200" blockAlign="end">
              <TextField
                label="Shop domain or name"
                name="q"
                value={search}
                onChange={setSearch}
                autoComplete="off"
                clearButton
                onClearButtonClick={() => setSearch("")}
              />
              {query.approval ? <input type="hidden" name="approval" value={query.approval} /> : null}
              <Button submit>Search</Button>
            </InlineStack>
          </Form>
        </InlineStack>
        <Card padding="0">
          {merchants.length === 0 ? (
            <EmptyTableMessage>
              {total === 0 && !query.q ? "No merchant has installed the app yet." : "No merchant matches."}
            </EmptyTableMessage>
          ) : (
            <DataTable
              columnContentTypes={[
                "text",
                "text",
                "text",
                "numeric",
                "numeric",
                "numeric",
                "numeric",
                "text",
                "text",
                "text",
              ]}
              headings={[
                "Shop",
                "Connection",
                "Approval",
                "Listed / products",
                "Out of stock / listed variants",
                "Open findings",
                "Open alerts",
                "Last product sync",
                "Last inventory sync",
                "Last integrity check",
              ]}
              rows={rows}
            />
          )}
          <KeysetPagination<MerchantsCursor>
            previous={previous === null ? null : { side: "before", shop: previous }}
            next={next === null ? null : { side: "after", shop: next }}
            href={(cursor) => merchantsSearch(query, cursor)}
          />
        </Card>
      </BlockStack>
    </Page>
  );
}
