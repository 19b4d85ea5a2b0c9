// Trunk post-build hook (see Trunk.toml), run in the staging folder:
// 1. puts the SHA-256 hashes of the page's inline scripts (Trunk's wasm
//    loader) into the Content-Security-Policy in place of
//    CSP_SCRIPT_HASHES, so that no other inline script can run;
// 2. writes sw.js, the service worker, with the list of the build's files
//    and a version that changes whenever any of them does.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("post-build: TRUNK_STAGING_DIR is not set (run by trunk)");
  process.exit(1);
}
const sha256 = (data) => createHash("sha256").update(data).digest("base64");

const page = join(dir, "index.html");
const html = readFileSync(page, "utf8");
if (!html.includes("CSP_SCRIPT_HASHES")) {
  console.error("post-build: index.html has no CSP_SCRIPT_HASHES placeholder");
  process.exit(1);
}
const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => `'sha256-${sha256(m[1])}'`);
const finalHtml = html.replace("CSP_SCRIPT_HASHES", hashes.join(" "));
writeFileSync(page, finalHtml);
console.log(`post-build: ${hashes.length} inline script(s) allowed by hash`);

const files = [];
const walk = (d) => {
  for (const name of readdirSync(d)) {
    const path = join(d, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name !== "sw.js") files.push("/" + relative(dir, path).split("\\").join("/"));
  }
};
walk(dir);
files.sort();
const version = createHash("sha256")
  .update(files.map((f) => f + ":" + sha256(readFileSync(join(dir, f)))).join("\n"))
  .digest("hex")
  .slice(0, 16);
const template = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "sw.template.js"), "utf8");
writeFileSync(join(dir, "sw.js"), template.replace("__VERSION__", version).replace("__FILES__", JSON.stringify(["/", ...files])));
console.log(`post-build: sw.js caches ${files.length} files (version ${version})`);
