import { defineConfig } from "vitest/config";

// Defaults for a loaded machine (the full suite runs every package at once on two cores): tests
// wait for events rather than for time, but starting a process, a worker thread or a database
// can take seconds when every core is busy, far past vitest's 5 s. Tests that need longer say so.
// (Here, not in the package's root: `pnpm gen` owns every other file of this package.)
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
