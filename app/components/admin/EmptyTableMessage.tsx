import { Box, Text } from "@shopify/polaris";
import type { ReactNode } from "react";

/** What an admin list's card shows instead of its table when there is no row to show. */
export function EmptyTableMessage({ children }: { children: ReactNode }) {
  return (
    <Box padding="400">
      <Text as="p" tone="subdued">
        {children}
      </Text>
    </Box>
  );
}
