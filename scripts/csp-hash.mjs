// Trunk post-build hook: puts the SHA-256 hashes of the page's inline
// scripts (Trunk's wasm loader) into the Content-Security-Policy, in place
// of CSP_SCRIPT_HASHES, so that no other inline script can run.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("csp-hash: TRUNK_STAGING_DIR is not set (run by trunk)");
  process.exit(1);
}
const file = join(dir, "index.html");
const html = readFileSync(file, "utf8");
const hashes = [];
for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
  hashes.push(`'sha256-${createHash("sha256").update(m[1], "utf8").digest("base64")}'`);
}
if (!html.includes("CSP_SCRIPT_HASHES")) {
  console.error("csp-hash: index.html has no CSP_SCRIPT_HASHES placeholder");
  process.exit(1);
}
writeFileSync(file, html.replace("CSP_SCRIPT_HASHES", hashes.join(" ")));
console.log(`csp-hash: ${hashes.length} inline script(s) allowed by hash`);
