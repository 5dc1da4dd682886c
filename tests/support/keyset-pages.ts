import { expect } from "vitest";
import { adminGet, responseOf, routeArgs } from "./admin";

// For tests of the keyset-paged admin lists: load a page through its route's loader, and walk the pages.

type Loader = (args: ReturnType<typeof routeArgs>) => unknown;

/** A list page's loader data, as the browser would get it (the test fails on anything but 200). */
export async function loadListPage<Page>(loader: Loader, url: string, cookie: string): Promise<Page> {
  const response = await responseOf(() => loader(routeArgs(adminGet(url, cookie))));
  expect(response.status, url).toBe(200);
  return response.json() as Promise<Page>;
}

/**
 * Follows Next from the first page (`load(null)`): the first page has no Previous, every page but the last is full,
 * and the walk ends. Returns the pages in order.
 */
export async function walkPages<Cursor, Page extends { next: Cursor | null; previous: Cursor | null }>(
  load: (cursor: Cursor | null) => Promise<Page>,
  rowsOf: (page: Page) => unknown[],
  pageSize: number,
): Promise<Page[]> {
  const pages = [await load(null)];
  expect(pages[0].previous).toBeNull();
  while (pages.at(-1)!.next !== null) {
    expect(rowsOf(pages.at(-1)!)).toHaveLength(pageSize);
    pages.push(await load(pages.at(-1)!.next));
    expect(pages.length).toBeLessThan(20);
  }
  return pages;
}
