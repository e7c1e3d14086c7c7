import { defineConfig } from "vitest/config";

// Defaults for a loaded machine, shared by the packages that have no config of their own (the
// full suite runs every package at once on two cores): tests wait for events rather than for
// time, but compiling a contract, spawning a compiler or a process can take seconds when every
// core is busy, far past vitest's 5 s. Tests that need longer say so.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
