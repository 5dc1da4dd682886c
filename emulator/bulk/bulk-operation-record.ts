import type { BulkErrorCode } from "../faults";

export type BulkOperationStatus = "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELING" | "CANCELED" | "EXPIRED";

export interface BulkFile {
  token: string;
  path: string;
  expiresAt: number;
}

export interface BulkOperationRecord {
  kind: "BulkOperation";
  id: number;
  shopDomain: string;
  query: string;
  type: "QUERY" | "MUTATION";
  status: BulkOperationStatus;
  errorCode: BulkErrorCode | null;
  createdAt: number;
  completedAt: number | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  data: BulkFile | null;
  partialData: BulkFile | null;
}

export const ACTIVE_STATUSES: ReadonlySet<BulkOperationStatus> = new Set(["CREATED", "RUNNING", "CANCELING"]);
