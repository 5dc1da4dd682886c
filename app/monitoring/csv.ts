// CSV that spreadsheets open safely (RFC 4180 quoting). A text cell starting with = + - @ or a tab/CR is taken as a
// formula by Excel, LibreOffice and Google Sheets; error messages and shop names come from outside (Shopify,
// merchants), so such cells are prefixed with an apostrophe, which the spreadsheet shows as text.

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | boolean | Date | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "boolean") return value ? "true" : "false";
  let text = value instanceof Date ? value.toISOString() : value;
  if (!(value instanceof Date) && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: Array<Parameters<typeof csvCell>[0]>): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}
