// OAuth2 client credentials (RFC 6749 §4.4): the runtime fetches an access token from the API's
// token URL with the client's id and secret, caches it until shortly before it expires, shares
// one fetch between concurrent calls, and fetches a new one once when the API answers 401.
import { APIConnectionError, APIError } from "./errors.ts";

/** The token endpoint and scopes of an API's client-credentials flow. */
export interface OAuth2Config {
  /** The token URL; a relative one is resolved against the client's base URL. */
  tokenUrl: string;
  /** Scopes requested (space-joined in `scope`); none lets the server pick its default. */
  scopes?: readonly string[] | undefined;
}

/** A token is renewed this long before the expiry the server announced. */
const EXPIRY_MARGIN_MS = 30_000;

type Fetch = (input: string, init: RequestInit) => Promise<Response>;

/** Fetches, caches and renews client-credentials access tokens. */
export class ClientCredentials {
  readonly #fetch: Fetch;
  readonly #url: string;
  readonly #clientId: string;
  readonly #clientSecret: string;
  readonly #scopes: readonly string[];
  readonly #now: () => number;
  #token: { value: string; expiresAt: number } | undefined;
  #pending: Promise<string> | undefined;

  constructor(options: {
    fetch: Fetch;
    tokenUrl: string;
    clientId: string;
    clientSecret: string;
    scopes?: readonly string[] | undefined;
    now?: (() => number) | undefined;
  }) {
    this.#fetch = options.fetch;
    this.#url = options.tokenUrl;
    this.#clientId = options.clientId;
    this.#clientSecret = options.clientSecret;
    this.#scopes = options.scopes ?? [];
    this.#now = options.now ?? Date.now;
  }

  /** A valid access token: the cached one, or a new one (one request however many callers wait). */
  token(): Promise<string> {
    const cached = this.#token;
    if (cached !== undefined && this.#now() < cached.expiresAt) return Promise.resolve(cached.value);
    if (this.#pending === undefined) {
      this.#pending = this.#request().finally(() => {
        this.#pending = undefined;
      });
    }
    return this.#pending;
  }

  /** Forgets `stale` (the token a 401 answered), so the next `token()` fetches a new one. */
  invalidate(stale: string): void {
    if (this.#token?.value === stale) this.#token = undefined;
  }

  async #request(): Promise<string> {
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (this.#scopes.length > 0) form.set("scope", this.#scopes.join(" "));
    // client_secret_basic: id and secret form-urlencoded, then Basic (RFC 6749 §2.3.1).
    const basic = btoaUtf8(`${formEncode(this.#clientId)}:${formEncode(this.#clientSecret)}`);
    const started = this.#now();
    let response: Response;
    try {
      response = await this.#fetch(this.#url, {
        method: "POST",
        headers: {
          Accept: "application/json",
          "Content-Type": "application/x-www-form-urlencoded",
          Authorization: `Basic ${basic}`,
        },
        body: form.toString(),
      });
    } catch (cause) {
      throw new APIConnectionError(`OAuth2 token request to ${this.#url} failed`, { cause });
    }
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === "object") body = parsed as Record<string, unknown>;
    } catch {
      // Not JSON: reported below.
    }
    if (!response.ok || typeof body.access_token !== "string" || body.access_token === "") {
      const why =
        typeof body.error === "string"
          ? `${body.error}${typeof body.error_description === "string" ? `: ${body.error_description}` : ""}`
          : response.ok
            ? "no access_token in the answer"
            : `status ${response.status}`;
      throw new APIError(`OAuth2 token request to ${this.#url} failed (${why})`);
    }
    const expiresIn = typeof body.expires_in === "number" ? body.expires_in * 1000 : Number.POSITIVE_INFINITY;
    // A short-lived token is renewed at half its life rather than never cached.
    const margin = Math.min(EXPIRY_MARGIN_MS, expiresIn / 2);
    this.#token = { value: body.access_token, expiresAt: started + expiresIn - margin };
    return body.access_token;
  }
}

/** `application/x-www-form-urlencoded` of one value (spaces as `+`). */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, "+");
}

/** Base64 of a string's UTF-8 bytes (btoa alone takes Latin-1 only). */
export function btoaUtf8(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
