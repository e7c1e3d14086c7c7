// This package runs with the shared defaults for a loaded machine (see ../../vitest.defaults.ts).
export { default } from "../../vitest.defaults.ts";
