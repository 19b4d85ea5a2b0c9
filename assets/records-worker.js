// Reads and decodes the register's relationship records on a thread of
// their own (src/store/records.rs), with the app's own code. The first
// message brings the page's loader (its address) and compiled module; the
// worker says "ready" once the app's code runs here. The second brings the
// database's name and the browser's key for stored pages (or null). The
// answers are the records packed, a piece at a time (ArrayBuffers), then
// `true`; or `false` if the worker could not read them, and the page then
// reads them all itself. One worker per opening; the page ends it
// afterwards.
let app = null;

onmessage = async ({ data }) => {
  if (data && data.glue) {
    app = import(data.glue).then(async (loader) => {
      await loader.default({ module_or_path: data.module });
      return loader;
    });
    try {
      await app;
      postMessage("ready");
    } catch {
      postMessage(false);
    }
    return;
  }
  try {
    const [db, key] = data;
    await (await app).openRecords(db, key, (piece) => postMessage(piece.buffer, [piece.buffer]));
    postMessage(true);
  } catch {
    postMessage(false);
  }
};
