import { useNavigate } from "@remix-run/react";
import { Badge, IndexTable, Link, Text } from "@shopify/polaris";
import { syncMonitorSearch, type SortKey, type SyncMonitorQuery } from "~/monitoring/sync-monitor-query";
import type { Serialized } from "~/lib/serialized";
import type { SyncEventRow } from "~/monitoring/list-sync-events.server";
import { formatDuration, sentenceCase, formatUtc, statusTone } from "./format";

export type SyncEventListItem = Serialized<SyncEventRow>;

// Column index -> the sort it stands for (the other columns are not sortable).
const SORTABLE_COLUMNS: Partial<Record<number, SortKey>> = { 0: "created_at", 4: "item_count", 5: "processing_time" };

export function SyncMonitorTable({ events, query }: { events: SyncEventListItem[]; query: SyncMonitorQuery }) {
  const navigate = useNavigate();
  const sortColumnIndex = Number(Object.entries(SORTABLE_COLUMNS).find(([, key]) => key === query.sort)?.[0] ?? 0);
  return (
    <IndexTable
      itemCount={events.length}
      selectable={false}
      resourceName={{ singular: "event", plural: "events" }}
      emptyState={
        <Text as="p" tone="subdued" alignment="center">
          No sync events match these filters.
        </Text>
      }
      headings={[
        { title: "Time" },
        { title: "Merchant" },
        { title: "Type" },
        { title: "Status" },
        { title: "Items", alignment: "end" },
        { title: "Duration", alignment: "end" },
        { title: "Error" },
      ]}
      sortable={[true, false, false, false, true, true, false]}
      sortColumnIndex={sortColumnIndex}
      sortDirection={query.direction === "asc" ? "ascending" : "descending"}
      defaultSortDirection="descending"
      onSort={(index, direction) => {
        const sort = SORTABLE_COLUMNS[index];
        if (!sort) return;
        navigate(
          syncMonitorSearch(query, { sort, direction: direction === "ascending" ? "asc" : "desc", cursor: null }),
        );
      }}
    >
      {events.map((event, position) => (
        <IndexTable.Row id={event.id} key={event.id} position={position}>
          <IndexTable.Cell>
            <Link url={`/admin/sync-monitor/${event.id}`} removeUnderline dataPrimaryLink>
              {formatUtc(event.createdAt)}
            </Link>
          </IndexTable.Cell>
          <IndexTable.Cell>{event.shop.replace(".myshopify.com", "")}</IndexTable.Cell>
          <IndexTable.Cell>{sentenceCase(event.eventType)}</IndexTable.Cell>
          <IndexTable.Cell>
            <Badge tone={statusTone(event.status)}>{sentenceCase(event.status)}</Badge>
          </IndexTable.Cell>
          <IndexTable.Cell>
            <Text as="span" alignment="end" numeric>
              {event.itemCount === null ? "–" : event.itemCount.toLocaleString("en")}
            </Text>
          </IndexTable.Cell>
          <IndexTable.Cell>
            <Text as="span" alignment="end" numeric>
              {formatDuration(event.processingTimeMs)}
            </Text>
          </IndexTable.Cell>
          <IndexTable.Cell>
            <Text as="span" tone="subdued" truncate>
              {event.errorMessage ?? ""}
            </Text>
          </IndexTable.Cell>
        </IndexTable.Row>
      ))}
    </IndexTable>
  );
}
