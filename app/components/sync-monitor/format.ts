// Display formats shared by the sync monitor's components (UTC throughout: the filters are UTC days).

export function formatDuration(ms: number | null): string {
  if (ms === null) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatPercent(rate: number | null): string {
  return rate === null ? "–" : `${(rate * 100).toFixed(1)}%`;
}

export function formatUtc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** An instant that may not have happened yet ("never"), as every page writes one. */
export function formatWhen(iso: string | null): string {
  return iso ? formatUtc(iso) : "never";
}

/** An enum constant as a page shows it: PRODUCT_SYNC -> "Product sync", FLAGGED -> "Flagged". */
export function sentenceCase(constant: string): string {
  return constant.charAt(0) + constant.slice(1).toLowerCase().replace(/_/g, " ");
}

export function statusTone(status: string): "success" | "critical" | "warning" | undefined {
  if (status === "SUCCESS") return "success";
  if (status === "FAILURE") return "critical";
  if (status === "PARTIAL") return "warning";
  return undefined;
}
