// Request bodies as fetch takes them, and error bodies as the errors carry them.
import { stringifyForm } from "./query.ts";

export function serializeBody(
  body: unknown,
  contentType: string | undefined,
): { body: BodyInit | undefined; contentType: string | undefined } {
  if (body === undefined) return { body: undefined, contentType: undefined };
  if (typeof FormData !== "undefined" && body instanceof FormData) return { body, contentType: undefined };
  if (
    contentType !== undefined &&
    /^application\/x-www-form-urlencoded\b/i.test(contentType) &&
    typeof body === "object" &&
    body !== null &&
    !(body instanceof URLSearchParams) &&
    Object.getPrototypeOf(body) === Object.prototype
  ) {
    return { body: stringifyForm(body as Record<string, unknown>), contentType };
  }
  // A string is text unless the body is JSON: a JSON body whose schema is a string (an enum, a
  // base64 text) goes out as a JSON string, quoted.
  const json = contentType === undefined || /[/+]json\b/i.test(contentType);
  if (
    (typeof body === "string" && !json) ||
    (typeof Blob !== "undefined" && body instanceof Blob) ||
    body instanceof URLSearchParams ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    (typeof ReadableStream !== "undefined" && body instanceof ReadableStream)
  ) {
    return { body: body as BodyInit, contentType };
  }
  return { body: JSON.stringify(body), contentType: contentType ?? "application/json" };
}

export function parseErrorBody(text: string | undefined, headers: Headers): unknown {
  if (text === undefined || text === "") return undefined;
  const contentType = headers.get("content-type") ?? "";
  if (/[/+]json\b/i.test(contentType) || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
