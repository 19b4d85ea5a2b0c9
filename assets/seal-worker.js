// Seals an export's bundle on a thread of its own (src/web/sealing.rs), with
// the app's own code. The first message brings the page's loader (its
// address) and compiled module, the passphrase, salt, nonce and
// key-derivation parameters; the worker says "ready" once the app's code
// runs here, then derives the key. Then come the document's pieces as the
// page writes them (ArrayBuffers), each compressed as it comes, and `null`
// at the end. The answer is the bundle file (`file`, an ArrayBuffer) with
// how long each step took (`key_ms`, `compress_ms`, `seal_ms`), or `false`
// if the worker could not make it, and the page then seals the bundle
// itself. One worker per export; the page ends it afterwards.
let seal = null;
let failed = false;
const times = { key_ms: 0, compress_ms: 0, seal_ms: 0 };

onmessage = async ({ data }) => {
  if (data && data.glue) {
    try {
      const app = await import(data.glue);
      await app.default({ module_or_path: data.module });
      postMessage("ready");
      const started = performance.now();
      seal = new app.WorkerSeal(data.passphrase, data.salt, data.nonce, data.m_kib, data.t, data.p);
      times.key_ms = performance.now() - started;
    } catch {
      failed = true;
      postMessage(false);
    }
    return;
  }
  if (data !== null) {
    if (!failed) {
      try {
        const started = performance.now();
        seal.push(new Uint8Array(data));
        times.compress_ms += performance.now() - started;
      } catch {
        failed = true;
      }
    }
    return;
  }
  try {
    if (failed) throw new Error("not sealed");
    const started = performance.now();
    const file = seal.finish();
    times.seal_ms = performance.now() - started;
    postMessage({ file: file.buffer, ...times }, [file.buffer]);
  } catch {
    postMessage(false);
  }
};
