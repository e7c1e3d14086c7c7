export { type BuildOptions, buildIR } from "./build.ts";
export { DEFAULT_PAGINATION, type PaginationOptions } from "./pagination.ts";
export type * from "./types.ts";
