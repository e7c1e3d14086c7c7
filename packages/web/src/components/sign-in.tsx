import { useState } from "preact/hooks";
import { clientFor, describeFailure, type Failure } from "../api.ts";

/** Asks for an API key and checks it against the server before keeping it for this tab. */
export function SignIn(props: { onSignedIn: (key: string) => void }) {
  const [key, setKey] = useState("");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const trimmed = key.trim();
    if (trimmed === "") return;
    setBusy(true);
    setFailure(null);
    try {
      await clientFor(trimmed).sequences.list({ limit: 1 });
      props.onSignedIn(trimmed);
    } catch (error) {
      setFailure(describeFailure(error, "Signing in"));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>TKA sequence editor</h1>
      <form onSubmit={submit}>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={key}
          onInput={(e) => setKey((e.target as HTMLInputElement).value)}
          aria-describedby="api-key-help"
          required
        />
        <p id="api-key-help" class="help">
          The server printed a key on its first start and keeps it in <code>data/api-key</code>; more with{" "}
          <code>pnpm keys create --project NAME</code>. The key stays in this browser tab only.
        </p>
        <button type="submit" disabled={busy}>
          {busy ? "Checking…" : "Sign in"}
        </button>
      </form>
      {failure && (
        <div class="notice error" role="alert">
          <p class="notice-title">{failure.title}</p>
          {failure.detail && <p>{failure.detail}</p>}
          <p class="notice-meta">
            {failure.code && (
              <span>
                code <code class="notice-code">{failure.code}</code>
              </span>
            )}
            {failure.requestId && (
              <span>
                request id <code>{failure.requestId}</code>
              </span>
            )}
          </p>
        </div>
      )}
      <p>
        <a href="/docs">API reference</a>
      </p>
    </main>
  );
}
