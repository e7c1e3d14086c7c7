/**
 * File content for a `multipart/form-data` part: a `Blob` (a `File` also carries its name and
 * type; in Node `fs.openAsBlob(path)` reads a file lazily) or bytes.
 */
export type Uploadable = Blob | ArrayBuffer | ArrayBufferView;

function isUploadable(value: unknown): value is Uploadable {
  return (
    (typeof Blob !== "undefined" && value instanceof Blob) || value instanceof ArrayBuffer || ArrayBuffer.isView(value)
  );
}

/**
 * A multipart body from an object of fields: files (`Blob`, `File`, bytes) become file parts
 * (named after the `File`, else after the field), scalars text parts, an array one part per item,
 * and an object a JSON part (`application/json`). `contentTypes` gives a part's Content-Type by
 * field (the document's `encoding`); `undefined`/`null` fields are left out. A `FormData` is
 * sent as it is.
 */
export function multipartBody(
  fields: FormData | Readonly<Record<string, unknown>>,
  contentTypes: Readonly<Record<string, string>> = {},
): FormData {
  if (fields instanceof FormData) return fields;
  const form = new FormData();
  const append = (name: string, value: unknown): void => {
    if (value === undefined || value === null) return;
    const declared = contentTypes[name];
    if (isUploadable(value)) {
      const blob =
        value instanceof Blob
          ? declared !== undefined && value.type === ""
            ? new Blob([value], { type: declared })
            : value
          : new Blob([value as BlobPart], { type: declared ?? "application/octet-stream" });
      const filename = typeof File !== "undefined" && value instanceof File ? value.name : name;
      form.append(name, blob, filename);
    } else if (value instanceof Date) {
      form.append(name, value.toISOString());
    } else if (typeof value === "object") {
      form.append(name, new Blob([JSON.stringify(value)], { type: declared ?? "application/json" }), "");
    } else if (declared !== undefined && !declared.startsWith("text/plain")) {
      form.append(name, new Blob([String(value)], { type: declared }), "");
    } else {
      form.append(name, String(value));
    }
  };
  for (const [name, value] of Object.entries(fields)) {
    if (Array.isArray(value)) for (const item of value) append(name, item);
    else append(name, value);
  }
  return form;
}
