// Helpers for the handlers' typed results. Errors are not returned but thrown: the app's error
// handler turns domain and service errors into problem answers in one place (http/errors.ts).
import { etagOf } from "../service/if-match.ts";

/** A sequence answer: the body and its version as a strong ETag. */
export function withEtag<S extends number, B extends { version: number }>(status: S, body: B) {
  return { status, body, headers: { ETag: etagOf(body.version) } };
}
