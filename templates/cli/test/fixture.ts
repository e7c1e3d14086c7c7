// A small API as the cli target would describe it, and a fake SDK client that records requests and
// answers from a script: the runtime is tested here without a server (packages/cli/test has the
// end-to-end tests against the real one).
import type {
  CliClient,
  CliClientOptions,
  CliDefinition,
  CliRequestOptions,
  CliRequestSpec,
  CommandSpec,
  IO,
} from "../runtime/types.ts";

export class FakeStatusError extends Error {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Headers;
  readonly requestId: string | undefined;
  constructor(status: number, body: unknown, headers = new Headers(), requestId?: string) {
    super(`status ${status}`);
    this.status = status;
    this.body = body;
    this.headers = headers;
    this.requestId = requestId;
  }
}
export class FakeConnectionError extends Error {}
export class FakeTimeoutError extends FakeConnectionError {}
export class FakeAbortError extends Error {}

const ifMatch = {
  name: "If-Match",
  in: "header",
  flag: "if-match",
  description: "Only if still at this version.",
  required: false,
  type: "string",
  role: "if-match",
} as const;
const key = {
  name: "Idempotency-Key",
  in: "header",
  flag: "idempotency-key",
  description: "A unique key.",
  required: false,
  type: "string",
  role: "idempotency-key",
} as const;
const thingId = {
  name: "thing_id",
  in: "path",
  flag: "thing-id",
  description: "The thing.",
  required: true,
  type: "string",
} as const;

export const commands: CommandSpec[] = [
  {
    group: "things",
    name: "create",
    summary: "Create a thing",
    description: "Create a thing.",
    method: "post",
    path: "/things",
    params: [key],
    body: {
      kind: "json",
      contentType: "application/json",
      required: true,
      fields: [
        { name: "name", flag: "name", description: "Its name.", required: true, nullable: false, type: "string" },
        { name: "size", flag: "size", description: "Its size.", required: false, nullable: false, type: "integer" },
        { name: "weight", flag: "weight", description: "Its weight.", required: false, nullable: true, type: "number" },
        { name: "shiny", flag: "shiny", description: "Shiny?", required: false, nullable: false, type: "boolean" },
        {
          name: "tags",
          flag: "tags",
          description: "Tags.",
          required: false,
          nullable: false,
          type: "string",
          array: true,
        },
        {
          name: "color",
          flag: "color",
          description: "Its color.",
          required: false,
          nullable: false,
          type: "string",
          enum: ["red", "green"],
        },
        { name: "extra", flag: "extra", description: "Free-form.", required: false, nullable: true, type: "json" },
      ],
    },
    kind: "call",
  },
  {
    group: "things",
    name: "update",
    summary: "Update a thing",
    description: "Merge patch.",
    method: "patch",
    path: "/things/{thing_id}",
    params: [thingId, ifMatch, key],
    body: {
      kind: "json",
      contentType: "application/merge-patch+json",
      required: true,
      fields: [
        { name: "name", flag: "name", description: "Its name.", required: false, nullable: true, type: "string" },
      ],
    },
    kind: "call",
  },
  {
    group: "things",
    name: "get",
    summary: "Get a thing",
    description: "",
    method: "get",
    path: "/things/{thing_id}",
    params: [thingId],
    kind: "call",
  },
  {
    group: "things",
    name: "list",
    summary: "List things",
    description: "",
    method: "get",
    path: "/things",
    params: [
      {
        name: "limit",
        in: "query",
        flag: "limit",
        description: "Page size.",
        required: false,
        type: "integer",
        role: "pagination-limit",
      },
      {
        name: "kinds",
        in: "query",
        flag: "kinds",
        description: "Kinds.",
        required: false,
        type: "string",
        array: true,
        enum: ["a", "b", "c"],
      },
      {
        name: "ids",
        in: "query",
        flag: "ids",
        description: "Ids.",
        required: false,
        type: "integer",
        array: true,
        delimiter: ",",
      },
      {
        name: "filter",
        in: "query",
        flag: "filter",
        description: "Filter.",
        required: false,
        type: "json",
        deepObject: true,
      },
      {
        name: "cursor",
        in: "query",
        flag: "cursor",
        description: "Cursor.",
        required: false,
        type: "string",
        role: "pagination-cursor",
      },
    ],
    kind: "page",
    cursorParam: "cursor",
    itemsField: "data",
    columns: ["id", "name"],
  },
  {
    group: "events",
    name: "stream",
    summary: "Stream events",
    description: "",
    method: "get",
    path: "/events",
    params: [
      {
        name: "Last-Event-ID",
        in: "header",
        flag: "last-event-id",
        description: "Resume.",
        required: false,
        type: "string",
        role: "last-event-id",
      },
    ],
    kind: "stream",
  },
  {
    group: "files",
    name: "upload",
    summary: "Upload",
    description: "",
    method: "put",
    path: "/files/{thing_id}",
    params: [thingId],
    body: { kind: "binary", contentType: "application/octet-stream", required: true, fields: [] },
    kind: "call",
  },
];

export interface Recorded {
  spec: CliRequestSpec;
  options: CliRequestOptions | undefined;
}

/** What the fake client answers: a value, or an error to throw. */
export type Answer = { value: unknown } | { error: Error };

export function fakeClient(answers: Answer[] = [], pages: unknown[][] = [], events: unknown[] = []) {
  const recorded: Recorded[] = [];
  const created: CliClientOptions[] = [];
  const next = async () => {
    const a = answers.shift() ?? { value: { ok: true } };
    if ("error" in a) throw a.error;
    return a.value;
  };
  const client: CliClient = {
    request(spec, options) {
      recorded.push({ spec, options });
      return next();
    },
    requestPage(spec, options) {
      recorded.push({ spec, options });
      const first = { body: { data: pages[0] ?? [], next_cursor: pages.length > 1 ? "c1" : null } };
      const promise = Promise.resolve(first) as Promise<{ body: unknown }> & AsyncIterable<unknown>;
      promise[Symbol.asyncIterator] = async function* () {
        for (const page of pages) yield* page;
      };
      return promise;
    },
    requestStream<T>(
      spec: CliRequestSpec,
      options: CliRequestOptions | undefined,
      s: { decode: (m: { event: string; data: string; id: string | undefined }) => T | undefined },
    ) {
      recorded.push({ spec, options });
      return (async function* () {
        for (const e of events) {
          const value = s.decode({ event: "thing", data: JSON.stringify(e), id: `evt_${recorded.length}` });
          if (value !== undefined) yield value;
        }
      })();
    },
  };
  return { client, recorded, created };
}

export function definition(fake = fakeClient()): CliDefinition & { fake: ReturnType<typeof fakeClient> } {
  return {
    fake,
    program: {
      name: "thing",
      version: "0.1.0",
      title: "Thing API",
      apiVersion: "2.0.0",
      description: "Things, and more things.",
      envPrefix: "THING",
      defaultBaseURL: "http://127.0.0.1:9999",
    },
    groups: [
      { name: "things", description: "Things." },
      { name: "events", description: "Events." },
      { name: "files", description: "Files." },
    ],
    commands,
    createClient: (options) => {
      fake.created.push(options);
      return fake.client;
    },
    errors: {
      APIStatusError: FakeStatusError,
      APIConnectionError: FakeConnectionError,
      APITimeoutError: FakeTimeoutError,
      APIUserAbortError: FakeAbortError,
    },
  };
}

/** IO that collects what the program writes. */
export function memoryIO(env: Record<string, string | undefined> = {}, home = "/nonexistent-home") {
  const out: string[] = [];
  const err: string[] = [];
  const io: IO = {
    stdout: { write: (c: string | Uint8Array) => out.push(typeof c === "string" ? c : Buffer.from(c).toString()) },
    stderr: { write: (c: string | Uint8Array) => err.push(typeof c === "string" ? c : Buffer.from(c).toString()) },
    stdin: process.stdin,
    env,
    home,
  };
  return { io, stdout: () => out.join(""), stderr: () => err.join("") };
}
