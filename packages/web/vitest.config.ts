import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Unit tests of the app's logic (src/**/*.test.ts) and the browser tests (test/*.test.ts), which
// start the real server and drive Debian's Chromium: minutes on a loaded machine, not 5 s.
export default defineConfig({
  resolve: {
    alias: { "tka-sdk": fileURLToPath(new URL("../sdk-ts/src/index.ts", import.meta.url)) },
  },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One browser at a time: the machine has two cores shared with the rest of the suite.
    fileParallelism: false,
  },
});
