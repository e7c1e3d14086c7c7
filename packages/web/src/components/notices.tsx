// What went wrong (from the problem details: code, detail, failing fields, request id) or what
// happened (an edit re-applied after a conflict, a deletion to undo). Errors are announced at once.
import type { Notice } from "../editor/session.ts";

export interface ShownNotice {
  id: number;
  notice: Notice;
}

export function Notices(props: { notices: ShownNotice[]; onDismiss: (id: number) => void }) {
  return (
    <section class="notices" aria-label="Messages">
      {props.notices.map(({ id, notice }) =>
        notice.kind === "error" ? (
          <div key={id} class="notice error" role="alert">
            <p class="notice-title">{notice.failure.title}</p>
            {notice.failure.detail && <p>{notice.failure.detail}</p>}
            {notice.failure.fields && notice.failure.fields.length > 0 && (
              <ul class="fields">
                {notice.failure.fields.map((f) => (
                  <li key={f.field}>
                    <code>{f.field}</code>: {f.message}
                  </li>
                ))}
              </ul>
            )}
            <p class="notice-meta">
              {notice.failure.code && (
                <span>
                  code <code class="notice-code">{notice.failure.code}</code>
                </span>
              )}
              {notice.failure.status !== undefined && <span>HTTP {notice.failure.status}</span>}
              {notice.failure.requestId && (
                <span>
                  request id <code class="notice-request-id">{notice.failure.requestId}</code>
                </span>
              )}
            </p>
            <button type="button" class="link" onClick={() => props.onDismiss(id)}>
              Dismiss
            </button>
          </div>
        ) : (
          <div key={id} class="notice info" role="status">
            <p class="notice-title">{notice.text}</p>
            {notice.action && (
              <button
                type="button"
                onClick={() => {
                  notice.action?.run();
                  props.onDismiss(id);
                }}
              >
                {notice.action.label}
              </button>
            )}
            <button type="button" class="link" onClick={() => props.onDismiss(id)}>
              Dismiss
            </button>
          </div>
        ),
      )}
    </section>
  );
}
