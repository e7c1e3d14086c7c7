import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The app is built into dist/ and served by the server at / (packages/server/src/routes/web.ts).
// The SDK is compiled from its generated source (no separate SDK build). Nothing is inlined as a
// data: URL and no inline script is emitted: the server's CSP allows this origin only.
export default defineConfig({
  resolve: {
    alias: { "tka-sdk": fileURLToPath(new URL("../sdk-ts/src/index.ts", import.meta.url)) },
  },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    target: "es2022",
    reportCompressedSize: false,
  },
  // `pnpm dev`: the app with hot reload, the API from a server started with tools/scripts/start.sh.
  server: {
    proxy: { "/api": process.env.TKA_BASE_URL ?? "http://127.0.0.1:8080" },
  },
});
