import { useCallback, useEffect, useState } from "react";
import {
  Badge,
  BlockStack,
  Card,
  Checkbox,
  ChoiceList,
  Filters,
  IndexTable,
  InlineStack,
  Text,
  useIndexResourceState,
} from "@shopify/polaris";

// The merchant's synced products with their marketplace selection: search, status filter, server-side pages,
// select one / page / all matching, and the "list all my products" mode. Props in, intents out: the route does the
// data access.

export interface SelectionTableProduct {
  id: string;
  title: string | null;
  vendor: string | null;
  status: string | null;
  selected: boolean;
  listed: boolean;
  awaitingSync: boolean;
}

export interface SelectionTableFilter {
  query?: string;
  status?: string;
  selection?: string;
}

export type SelectionIntent =
  | { intent: "select" | "deselect"; ids: string[] }
  | { intent: "select-matching" | "deselect-matching"; filter: SelectionTableFilter }
  | { intent: "mode"; mode: "ALL" | "CHOSEN" };

export interface ProductSelectionTableProps {
  mode: "ALL" | "CHOSEN";
  products: SelectionTableProduct[];
  page: number;
  pageCount: number;
  matching: number;
  selectedTotal: number;
  listedTotal: number;
  filter: SelectionTableFilter;
  busy?: boolean;
  onFilterChange(filter: SelectionTableFilter): void;
  onPageChange(page: number): void;
  onIntent(intent: SelectionIntent): void;
}

const STATUS_CHOICES = [
  { label: "Active", value: "ACTIVE" },
  { label: "Draft", value: "DRAFT" },
  { label: "Archived", value: "ARCHIVED" },
  { label: "Unlisted", value: "UNLISTED" },
];

const STATUS_TONE: Record<string, "success" | "info" | "attention" | undefined> = {
  ACTIVE: "success",
  DRAFT: "info",
  ARCHIVED: undefined,
  UNLISTED: "attention",
};

export function ProductSelectionTable(props: ProductSelectionTableProps) {
  const { mode, products, page, pageCount, matching, filter, busy } = props;
  const listsEverything = mode === "ALL";
  const { selectedResources, allResourcesSelected, handleSelectionChange, clearSelection } = useIndexResourceState(
    products.map((p) => ({ id: p.id })),
  );
  // The page changed under the selection (new page, filter, or a saved change): start from nothing selected.
  useEffect(() => clearSelection(), [products, clearSelection]);

  // Typing searches after a pause, not on every key.
  const [query, setQuery] = useState(filter.query ?? "");
  useEffect(() => setQuery(filter.query ?? ""), [filter.query]);
  useEffect(() => {
    if (query === (filter.query ?? "")) return;
    const timer = setTimeout(() => props.onFilterChange({ ...filter, query: query || undefined }), 300);
    return () => clearTimeout(timer);
  }, [query]); // eslint-disable-line react-hooks/exhaustive-deps

  const apply = useCallback(
    (selected: boolean) => {
      if (allResourcesSelected) {
        props.onIntent({ intent: selected ? "select-matching" : "deselect-matching", filter });
      } else {
        props.onIntent({ intent: selected ? "select" : "deselect", ids: selectedResources });
      }
    },
    [allResourcesSelected, selectedResources, filter, props],
  );

  const appliedFilters = filter.status
    ? [
        {
          key: "status",
          label: `Status: ${filter.status.toLowerCase()}`,
          onRemove: () => props.onFilterChange({ ...filter, status: undefined }),
        },
      ]
    : [];

  return (
    <BlockStack gap="400">
      <Card>
        <BlockStack gap="200">
          <Checkbox
            label="List all my products on the marketplace"
            helpText="Every active product is listed, including products you create later. Your own choices below are kept for when you turn this off."
            checked={listsEverything}
            disabled={busy}
            onChange={(checked) => props.onIntent({ intent: "mode", mode: checked ? "ALL" : "CHOSEN" })}
          />
          <Text as="p" tone="subdued">
            {props.selectedTotal} selected · {props.listedTotal} listed on the marketplace
          </Text>
        </BlockStack>
      </Card>
      <Card padding="0">
        <Filters
          queryValue={query}
          queryPlaceholder="Search by title, handle or vendor"
          onQueryChange={setQuery}
          onQueryClear={() => setQuery("")}
          onClearAll={() => props.onFilterChange({})}
          filters={[
            {
              key: "status",
              label: "Status",
              filter: (
                <ChoiceList
                  title="Status"
                  titleHidden
                  choices={STATUS_CHOICES}
                  selected={filter.status ? [filter.status] : []}
                  onChange={([status]) => props.onFilterChange({ ...filter, status })}
                />
              ),
              shortcut: true,
            },
          ]}
          appliedFilters={appliedFilters}
        />
        <IndexTable
          resourceName={{ singular: "product", plural: "products" }}
          itemCount={products.length}
          selectable={!listsEverything}
          selectedItemsCount={allResourcesSelected ? "All" : selectedResources.length}
          onSelectionChange={handleSelectionChange}
          hasMoreItems={matching > products.length}
          paginatedSelectAllText={`All ${matching} matching products are selected`}
          paginatedSelectAllActionText={`Select all ${matching} matching products`}
          loading={busy}
          promotedBulkActions={[
            { content: "List on marketplace", onAction: () => apply(true) },
            { content: "Remove from marketplace", onAction: () => apply(false) },
          ]}
          headings={[{ title: "Product" }, { title: "Vendor" }, { title: "Status" }, { title: "Marketplace" }]}
          pagination={{
            hasPrevious: page > 1,
            hasNext: page < pageCount,
            onPrevious: () => props.onPageChange(page - 1),
            onNext: () => props.onPageChange(page + 1),
            label: `Page ${page} of ${pageCount}`,
          }}
        >
          {products.map((product, index) => (
            <IndexTable.Row
              id={product.id}
              key={product.id}
              position={index}
              selected={selectedResources.includes(product.id)}
            >
              <IndexTable.Cell>
                <Text as="span" fontWeight="semibold">
                  {product.title ?? `Product ${product.id}`}
                </Text>
              </IndexTable.Cell>
              <IndexTable.Cell>{product.vendor ?? ""}</IndexTable.Cell>
              <IndexTable.Cell>
                {product.status ? (
                  <Badge tone={STATUS_TONE[product.status]}>{product.status.toLowerCase()}</Badge>
                ) : null}
              </IndexTable.Cell>
              <IndexTable.Cell>
                <InlineStack gap="100">{marketplaceBadge(product, listsEverything)}</InlineStack>
              </IndexTable.Cell>
            </IndexTable.Row>
          ))}
        </IndexTable>
      </Card>
    </BlockStack>
  );
}

function marketplaceBadge(product: SelectionTableProduct, listsEverything: boolean) {
  if (product.awaitingSync) return <Badge tone="attention">Waiting for sync</Badge>;
  if (product.listed) return <Badge tone="success">Listed</Badge>;
  if (product.selected || listsEverything) return <Badge>Selected (not active in Shopify)</Badge>;
  return <Badge>Not listed</Badge>;
}
