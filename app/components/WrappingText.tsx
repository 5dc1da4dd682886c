import { Text } from "@shopify/polaris";
import type { ReactNode } from "react";

/**
 * Long text (an error, a finding's examples) inside a Polaris DataTable cell. The table's cells never wrap
 * (white-space: nowrap), so a long message widens the table past its card and Polaris falls back to column
 * scrolling, hiding the row's buttons; this lets the text wrap within a readable width instead.
 */
export function WrappingText({ children, maxWidth = 320 }: { children: ReactNode; maxWidth?: number }) {
  return (
    <div style={{ whiteSpace: "normal", minWidth: Math.min(160, maxWidth), maxWidth }}>
      <Text as="span" variant="bodySm" breakWord>
        {children}
      </Text>
    </div>
  );
}
