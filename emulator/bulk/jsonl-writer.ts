import { createWriteStream } from "node:fs";
import { once } from "node:events";
import type { GraphQLSchema } from "graphql";
import { getArgumentValues } from "graphql";
import { connectionSources, type ResolverContext } from "../resolvers";
import type { BulkQueryPlan } from "./bulk-query";
import { createProjector, type ChildBatch } from "./project";

export interface JsonlWriteOptions {
  schema: GraphQLSchema;
  plan: BulkQueryPlan;
  ctx: ResolverContext;
  path: string;
  // Shopify's files often end without a newline; readers must cope.
  trailingNewline: boolean;
  // Every few roots, hold a root's children back until after the next root's line, as real files do.
  interleaveEvery: number;
  // "any": groupObjects false as 2026-01 defaults to, with no order promised: lines are shuffled within windows of
  // roots, so a child can come before its parent and siblings apart. "grouped": children after their parent.
  lineOrder?: "grouped" | "any";
  seed?: number;
  // Stop after this many lines (a failed operation's partial data).
  maxObjects?: number;
  // Write this line (0-based) cut in half: the "malformed line" fault.
  corruptLine?: number;
  isCancelled: () => boolean;
}

export interface JsonlWriteResult {
  objectCount: number;
  rootObjectCount: number;
  bytes: number;
  truncated: boolean;
}

const FLUSH_AT = 64 * 1024;
const YIELD_EVERY_ROOTS = 200;
const ANY_ORDER_WINDOW_LINES = 64;

// Shopify escapes forward slashes in its JSONL ("gid:\/\/shopify\/Product\/1"). A "/" can only appear inside a
// JSON string, so escaping after stringify is exact.
export function jsonlLine(object: Record<string, unknown>): string {
  return JSON.stringify(object).replace(/\//g, "\\/");
}

// Streams the file line by line with backpressure and yields to the event loop, so a 100k-product export neither
// builds one giant string nor stalls the emulator's other requests.
export async function writeBulkJsonl(options: JsonlWriteOptions): Promise<JsonlWriteResult> {
  const { schema, plan, ctx } = options;
  const out = createWriteStream(options.path);
  const projector = createProjector(schema, ctx);
  const root = connectionSources.QueryRoot[plan.rootFieldName];
  const rootDefinition = schema.getQueryType()!.getFields()[plan.rootFieldName];
  const rootArgs = getArgumentValues(rootDefinition, plan.rootField, {});
  // A snapshot of the list: changes made while the operation runs do not shift the iteration.
  const rootItems = [...root.list(undefined as never, rootArgs, ctx)];

  let buffer = "";
  let objectCount = 0;
  let rootObjectCount = 0;
  let truncated = false;
  let deferred: string[] = [];

  const full = () => options.maxObjects !== undefined && objectCount >= options.maxObjects;
  const pushLine = (object: Record<string, unknown>, into: string[]) => {
    let line = jsonlLine(object);
    if (objectCount === options.corruptLine) line = line.slice(0, Math.max(1, Math.floor(line.length / 2)));
    into.push(line);
    objectCount++;
  };
  const flush = async (force = false) => {
    if (!force && buffer.length < FLUSH_AT) return;
    if (buffer && !out.write(buffer)) await once(out, "drain");
    buffer = "";
  };
  let firstLine = true;
  const write = (lines: string[]) => {
    for (const line of lines) {
      buffer += firstLine ? line : `\n${line}`;
      firstLine = false;
    }
  };
  // Any order: lines wait in a window of a few roots and leave it shuffled (memory stays bounded).
  let window: string[] = [];
  let state = (options.seed ?? 7) >>> 0;
  const random = () => (state = (state * 1_664_525 + 1_013_904_223) >>> 0) / 2 ** 32;
  const releaseWindow = () => {
    for (let i = window.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [window[i], window[j]] = [window[j], window[i]];
    }
    write(window);
    window = [];
  };
  const emit = (lines: string[]) => {
    if (options.lineOrder !== "any") return write(lines);
    window.push(...lines);
    if (window.length >= ANY_ORDER_WINDOW_LINES) releaseWindow();
  };
  const unroll = (batches: ChildBatch[], parentId: string, into: string[]) => {
    for (const batch of batches) {
      for (const node of batch.nodes) {
        if (full()) return;
        const grandChildren: ChildBatch[] = [];
        const object = projector.project(batch.selection, batch.nodeType, node, grandChildren);
        object.__parentId = parentId;
        pushLine(object, into);
        unroll(grandChildren, projector.idOf(batch.nodeType, node), into);
      }
    }
  };

  try {
    for (let i = 0; i < rootItems.length; i++) {
      if (full() || options.isCancelled()) {
        truncated = true;
        break;
      }
      const node = root.toNode ? root.toNode(rootItems[i] as never, undefined as never, ctx) : rootItems[i];
      const children: ChildBatch[] = [];
      const rootLines: string[] = [];
      pushLine(projector.project(plan.nodeSelection, plan.nodeType, node, children), rootLines);
      rootObjectCount++;
      const childLines: string[] = [];
      unroll(children, projector.idOf(plan.nodeType, node), childLines);
      emit(rootLines);
      emit(deferred);
      deferred = [];
      if (options.interleaveEvery > 0 && i % options.interleaveEvery === 1) deferred = childLines;
      else emit(childLines);
      await flush();
      if (i % YIELD_EVERY_ROOTS === YIELD_EVERY_ROOTS - 1) await new Promise((resolve) => setImmediate(resolve));
    }
    emit(deferred);
    if (window.length > 0) releaseWindow();
    if (options.trailingNewline && !firstLine) buffer += "\n";
    await flush(true);
  } finally {
    out.end();
    await once(out, "close");
  }
  return { objectCount, rootObjectCount, bytes: out.bytesWritten, truncated };
}
