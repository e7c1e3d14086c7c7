// The shared defaults for a loaded machine (see ../../vitest.defaults.ts); only test/ holds tests
// (the installed http-specs package and .work/ hold none of ours).
import { defineConfig, mergeConfig } from "vitest/config";
import defaults from "../../vitest.defaults.ts";

export default mergeConfig(defaults, defineConfig({ test: { include: ["test/**/*.test.ts"] } }));
