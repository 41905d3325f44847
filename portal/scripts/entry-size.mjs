// The gzipped size of what the browser must load before the first page shows: index.html's
// entry script and stylesheet (everything else is code-split and loaded on demand).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const dist = new URL("../dist/", import.meta.url).pathname;
const html = readFileSync(join(dist, "index.html"), "utf8");
const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
let total = 0;
for (const file of files) {
  const bytes = readFileSync(join(dist, file));
  const gz = gzipSync(bytes, { level: 9 }).length;
  total += gz;
  console.log(`${file}\t${(bytes.length / 1024).toFixed(1)} kB\tgzip ${(gz / 1024).toFixed(1)} kB`);
}
console.log(`entry total\tgzip ${(total / 1024).toFixed(1)} kB`);
