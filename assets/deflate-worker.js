// Compresses an export's document with raw DEFLATE on a thread of its own
// (src/web/deflate.rs). The page posts the document in pieces as it writes
// them (ArrayBuffers), then `null`; the answer is the compressed bytes (an
// ArrayBuffer), or `false` if the browser could not compress them, and the
// page then compresses the document itself. It says `"ready"` first. One
// worker per export.
const stream = new CompressionStream("deflate-raw");
const writer = stream.writable.getWriter();
const compressed = new Response(stream.readable).arrayBuffer();
let failed = false;
const fail = () => {
  failed = true;
};

onmessage = ({ data }) => {
  if (data !== null) {
    writer.write(new Uint8Array(data)).catch(fail);
    return;
  }
  writer.close().catch(fail);
  compressed.then(
    (bytes) => (failed ? postMessage(false) : postMessage(bytes, [bytes])),
    () => postMessage(false),
  );
};
postMessage("ready");
