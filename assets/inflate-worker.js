// Decompresses an import's document (raw DEFLATE) on a thread of its own
// (src/web/inflating.rs), so that the page reads what has come while the
// rest is decompressed. The message brings the compressed bytes (an
// ArrayBuffer) and the most the document may hold. The answers are the
// document's pieces as they come (ArrayBuffers), then the milliseconds
// decompressing took; or "too large" past the most, or false if the bytes
// do not decompress. One worker per import; the page ends it afterwards.
const PIECE = 1 << 19;

onmessage = async ({ data }) => {
  const started = performance.now();
  try {
    const stream = new Blob([data.compressed]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    const reader = stream.getReader();
    let parts = [];
    let size = 0;
    let total = 0;
    const hand = () => {
      if (size === 0) return;
      const piece = new Uint8Array(size);
      let at = 0;
      for (const part of parts) {
        piece.set(part, at);
        at += part.length;
      }
      postMessage(piece.buffer, [piece.buffer]);
      parts = [];
      size = 0;
    };
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > data.limit) {
        reader.cancel().catch(() => {});
        postMessage("too large");
        return;
      }
      parts.push(value);
      size += value.length;
      if (size >= PIECE) hand();
    }
    hand();
    postMessage(performance.now() - started);
  } catch {
    postMessage(false);
  }
};
