import { defineConfig } from "vitest/config";

// Defaults for a loaded machine (the full suite runs every package at once on two cores): every
// test here starts processes, which can take seconds when every core is busy. Tests that need
// longer say so. (Here, not in the package's root: `pnpm gen` owns the package's other files.)
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
