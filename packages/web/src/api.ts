// The SDK client for this page, the API key kept in sessionStorage (gone when the tab closes,
// never sent anywhere but this server), and errors turned into what the notice shows.
import { APIConnectionError, APIError, APIStatusError, TKA } from "tka-sdk";

const KEY = "tka.apiKey";

export function storedKey(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeKey(key: string | null): void {
  try {
    if (key === null) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, key);
  } catch {
    // Storage disabled: the key lives as long as the page.
  }
}

/** A client of the server that served this page (same origin: no CORS, the CSP allows it). */
export function clientFor(apiKey: string, options: { fetch?: typeof fetch; onReconnecting?: () => void } = {}): TKA {
  return new TKA({
    baseURL: location.origin,
    apiKey,
    // An edit is retried by the SDK only where that is safe (it sends an Idempotency-Key).
    maxRetries: 2,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.onReconnecting
      ? {
          logger: {
            info: (message: string) => message.startsWith("Event stream reconnecting") && options.onReconnecting?.(),
          },
        }
      : {}),
  });
}

/** What a person needs to know about a failure: what went wrong, and what to quote when reporting it. */
export interface Failure {
  title: string;
  detail?: string | undefined;
  code?: string | undefined;
  status?: number | undefined;
  requestId?: string | undefined;
  fields?: { field: string; message: string }[] | undefined;
}

export function describeFailure(error: unknown, doing: string): Failure {
  if (error instanceof APIStatusError) {
    const problem = (error.problem ?? {}) as { title?: unknown; detail?: unknown; errors?: unknown };
    const errors = Array.isArray(problem.errors) ? (problem.errors as { field?: unknown; message?: unknown }[]) : [];
    return {
      title: `${doing} failed: ${typeof problem.title === "string" ? problem.title : `HTTP ${error.status}`}`,
      detail: typeof problem.detail === "string" ? problem.detail : undefined,
      code: error.code,
      status: error.status,
      requestId: error.requestId,
      fields: errors.map((e) => ({ field: String(e.field ?? ""), message: String(e.message ?? "") })),
    };
  }
  if (error instanceof APIConnectionError) {
    return { title: `${doing} failed: the server could not be reached`, detail: error.message };
  }
  if (error instanceof APIError || error instanceof Error) return { title: `${doing} failed`, detail: error.message };
  return { title: `${doing} failed`, detail: String(error) };
}
