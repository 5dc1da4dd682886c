// The hash of one bulk export line, kept on the row the line was merged into (product.export_hash,
// product_variant.export_hash), so the daily re-ingest can tell an unchanged line without staging it.
//
// It hashes the line's raw text: the same text parses to the same values and merges to the same row, and the text
// holds the object's id, so equal hashes mean the same object with the same fields. 53 bits (cyrb53: two 32-bit
// multiply-xor lanes), enough to be a JS number and a BIGINT, and fast: a few nanoseconds a character, where a
// crypto digest per line cost more than the JSON parse. A changed line is mistaken for unchanged only if its hash
// equals one of the shop's stored hashes: for a 400,000-row shop about 1 in 2^53 / 400,000 = 2 * 10^10 per changed line.
// EXPORT_HASH_VERSION is part of the hash: change it whenever the parser or the merge would turn the same text into
// other values, and every row is merged again once.

export const EXPORT_HASH_VERSION = 1;

export function exportLineHash(text: string): number {
  let h1 = 0xdeadbeef ^ EXPORT_HASH_VERSION;
  let h2 = 0x41c6ce57 ^ EXPORT_HASH_VERSION;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
