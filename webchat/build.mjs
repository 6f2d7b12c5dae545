// Bundles app.js with socket.io-client into dist/ and copies the static page next to it.
// dist/ is what bot/web.py serves; it is rebuilt by `make webchat` and never committed.
import { build } from "esbuild";
import { copyFile, mkdir, rm } from "node:fs/promises";

const STATIC = ["index.html", "style.css", "favicon.svg"];

await rm("dist", { recursive: true, force: true });
await mkdir("dist");
await build({
  entryPoints: ["app.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2018"],
  legalComments: "none",
  outfile: "dist/app.js",
  logLevel: "warning",
});
// index.html last: make uses it as the build's timestamp.
for (const name of STATIC.reverse()) {
  await copyFile(name, `dist/${name}`);
}
