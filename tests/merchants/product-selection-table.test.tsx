import { renderToString } from "react-dom/server";
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { describe, expect, it } from "vitest";
import { ProductSelectionTable, type ProductSelectionTableProps } from "../../app/components/ProductSelectionTable";

// The selection page's table renders on the server (the embedded page's first paint) without App Bridge.

function render(overrides: Partial<ProductSelectionTableProps> = {}) {
  const props: ProductSelectionTableProps = {
    mode: "CHOSEN",
    products: [
      {
        id: "1",
        title: "Blue lamp",
        vendor: "Acme",
        status: "ACTIVE",
        selected: true,
        listed: true,
        awaitingSync: false,
      },
      {
        id: "2",
        title: "Red chair",
        vendor: "Acme",
        status: "DRAFT",
        selected: true,
        listed: false,
        awaitingSync: false,
      },
      { id: "3", title: null, vendor: null, status: null, selected: true, listed: false, awaitingSync: true },
      {
        id: "4",
        title: "Green rug",
        vendor: "Acme",
        status: "ACTIVE",
        selected: false,
        listed: false,
        awaitingSync: false,
      },
    ],
    page: 2,
    pageCount: 3,
    matching: 120,
    selectedTotal: 37,
    listedTotal: 30,
    filter: { query: "lamp" },
    onFilterChange: () => undefined,
    onPageChange: () => undefined,
    onIntent: () => undefined,
    ...overrides,
  };
  // React separates adjacent text parts with empty comments; the text is what the merchant reads.
  return renderToString(
    <AppProvider i18n={en}>
      <ProductSelectionTable {...props} />
    </AppProvider>,
  ).replaceAll("<!-- -->", "");
}

describe("ProductSelectionTable", () => {
  it("shows each product's marketplace state, the counts, the page and the search", () => {
    const html = render();
    expect(html).toContain("Blue lamp");
    expect(html).toContain("Listed");
    expect(html).toContain("Selected (not active in Shopify)");
    expect(html).toContain("Waiting for sync");
    expect(html).toContain("Product 3"); // a placeholder has no title yet
    expect(html).toContain("Not listed");
    expect(html).toContain("37 selected · 30 listed on the marketplace");
    expect(html).toContain("Page 2 of 3");
    expect(html).toContain('value="lamp"');
    expect(html).toContain("Select all 120 matching products");
    // Nothing is checked: not the mode, not a row.
    expect(html).not.toContain('aria-checked="true"');
  });

  it("in 'list all' mode shows the mode as on and every product as listed or selected", () => {
    const html = render({ mode: "ALL" });
    expect(html.match(/aria-checked="true"/g)).toHaveLength(1);
    // Rows cannot be chosen one by one while everything is listed.
    expect(html).not.toContain("Select product");
    expect(html).not.toContain("Not listed");
  });
});
