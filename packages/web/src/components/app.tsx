// The page: sign-in, then the sequence list beside the editor of the sequence in the URL
// (#/sequences/<id>), messages, and live updates from other clients.
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { clientFor, type Failure, storedKey, storeKey } from "../api.ts";
import { EditorSession, type Notice, type SessionState } from "../editor/session.ts";
import { followChanges, type LiveStatus } from "../live.ts";
import { Editor } from "./editor.tsx";
import { Notices, type ShownNotice } from "./notices.tsx";
import { SequenceList } from "./sequence-list.tsx";
import { SignIn } from "./sign-in.tsx";

const MAX_NOTICES = 4;

function routeId(): string | null {
  const match = /^#\/sequences\/([^/]+)$/.exec(location.hash);
  if (!match?.[1]) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null; // a malformed link: the list, not a crash
  }
}

const liveText: Record<LiveStatus, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  off: "Live updates off",
};

export function App() {
  const [apiKey, setApiKey] = useState<string | null>(storedKey);
  const [selectedId, setSelectedId] = useState<string | null>(routeId);
  const [notices, setNotices] = useState<ShownNotice[]>([]);
  const [live, setLive] = useState<LiveStatus>("connecting");
  const [listKey, setListKey] = useState(0);
  const [state, setState] = useState<SessionState | null>(null);
  const nextNotice = useRef(0);
  const client = useMemo(() => (apiKey === null ? null : clientFor(apiKey)), [apiKey]);

  const notify = useCallback((notice: Notice) => {
    const id = ++nextNotice.current;
    setNotices((shown) => [...shown, { id, notice }].slice(-MAX_NOTICES));
  }, []);
  const fail = useCallback((failure: Failure) => notify({ kind: "error", failure }), [notify]);

  useEffect(() => {
    const onHash = () => setSelectedId(routeId());
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  const session = useMemo(() => {
    if (client === null || selectedId === null) return null;
    return new EditorSession(client, selectedId, { onChange: setState, onNotice: notify });
  }, [client, selectedId, notify]);
  useEffect(() => {
    if (session === null) {
      setState(null);
      return;
    }
    setState(session.state);
    void session.refresh();
    return () => session.close();
  }, [session]);

  // Live updates: the open sequence reads itself again; the list is read again once things settle.
  const sessionRef = useRef(session);
  sessionRef.current = session;
  useEffect(() => {
    if (apiKey === null) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = followChanges(
      apiKey,
      (change) => {
        const open = sessionRef.current;
        if (open?.id === change.sequenceId) open.remoteChange(change.version, change.type === "sequence.deleted");
        clearTimeout(timer);
        timer = setTimeout(() => setListKey((k) => k + 1), 200);
      },
      setLive,
    );
    return () => {
      clearTimeout(timer);
      stop();
    };
  }, [apiKey]);

  if (apiKey === null || client === null) {
    return (
      <SignIn
        onSignedIn={(key) => {
          storeKey(key);
          setApiKey(key);
        }}
      />
    );
  }
  const select = (id: string) => {
    location.hash = `#/sequences/${encodeURIComponent(id)}`;
    setSelectedId(id);
  };
  return (
    <div class="layout">
      <header class="top">
        <h1>TKA sequence editor</h1>
        <p class={`live ${live}`} role="status">
          {liveText[live]}
        </p>
        <a href="/docs">API reference</a>
        <button
          type="button"
          onClick={() => {
            storeKey(null);
            setApiKey(null);
            setNotices([]);
          }}
        >
          Sign out
        </button>
      </header>
      <Notices notices={notices} onDismiss={(id) => setNotices((shown) => shown.filter((n) => n.id !== id))} />
      <div class="columns">
        <SequenceList client={client} selectedId={selectedId} refreshKey={listKey} onSelect={select} onFailure={fail} />
        <main class="main">
          {session !== null && state !== null && (state.sequence?.id ?? session.id) === session.id ? (
            <Editor key={session.id} client={client} session={session} state={state} onFailure={fail} />
          ) : (
            <p class="placeholder">Choose a sequence on the left, or create one.</p>
          )}
        </main>
      </div>
    </div>
  );
}
