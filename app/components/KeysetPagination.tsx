import { Box, InlineStack, Pagination } from "@shopify/polaris";
import type { ReactNode } from "react";

interface KeysetPaginationProps<Cursor> {
  /** Where the neighbouring pages start (app/lib/keyset-cursor.ts), null when there is none. */
  previous: Cursor | null;
  next: Cursor | null;
  /** The URL of the page a cursor starts, with the list's filters kept. */
  href: (cursor: Cursor) => string;
  /** Shown at the left of the footer. */
  children?: ReactNode;
}

/**
 * The footer of a keyset-paged table: Previous and Next as links (GET, through AdminLink's client-side navigation),
 * so the page is in the URL and the back button walks back through the pages.
 */
export function KeysetPagination<Cursor>({ previous, next, href, children }: KeysetPaginationProps<Cursor>) {
  return (
    <Box padding="300">
      <InlineStack align={children ? "space-between" : "end"} blockAlign="center">
        {children}
        <Pagination
          hasPrevious={previous !== null}
          previousURL={previous !== null ? href(previous) : undefined}
          hasNext={next !== null}
          nextURL={next !== null ? href(next) : undefined}
        />
      </InlineStack>
    </Box>
  );
}
