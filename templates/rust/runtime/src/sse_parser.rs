//! The WHATWG Server-Sent Events parser: bytes in, [`SseMessage`]s out (re-exported by `sse`).

use std::time::Duration;

/// One dispatched SSE message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SseMessage {
    /// The `event` field, `message` when the server sent none.
    pub event: String,
    /// The `data` lines joined with `\n`.
    pub data: String,
    /// The `id` field carried by this message itself (`None` when it had none or an empty one).
    pub id: Option<String>,
    /// The stream's last event id when this message was dispatched (WHATWG `lastEventId`:
    /// the latest `id` seen so far, possibly from an earlier message).
    pub last_event_id: Option<String>,
}

impl SseMessage {
    /// A message (for tests and custom decoders).
    pub fn new(event: impl Into<String>, data: impl Into<String>, id: Option<String>) -> Self {
        SseMessage {
            event: event.into(),
            data: data.into(),
            last_event_id: id.clone(),
            id,
        }
    }
}

/// An incremental WHATWG event-stream parser. Feed it bytes as they arrive, split anywhere
/// (even inside a UTF-8 sequence or between `\r` and `\n`); it returns the completed messages.
#[derive(Debug, Default, Clone)]
pub struct SseParser {
    line: Vec<u8>,
    after_cr: bool,
    first_line_done: bool,
    data: String,
    event: String,
    has_data: bool,
    message_id: Option<String>,
    last_event_id: String,
    pub(super) retry: Option<Duration>,
}

impl SseParser {
    /// A parser for a new stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// A parser for a new connection that keeps the last event id of the previous one (as an
    /// `EventSource` does across reconnects).
    pub fn with_last_event_id(last_event_id: Option<&str>) -> Self {
        SseParser {
            last_event_id: last_event_id.unwrap_or_default().to_owned(),
            ..Self::default()
        }
    }

    /// The last event id buffer (WHATWG "last event ID string"); `None` when empty.
    pub fn last_event_id(&self) -> Option<&str> {
        (!self.last_event_id.is_empty()).then_some(self.last_event_id.as_str())
    }

    /// The reconnection time the server set with `retry:`, if any.
    pub fn reconnection_time(&self) -> Option<Duration> {
        self.retry
    }

    /// Parses a chunk and returns the messages it completed.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<SseMessage> {
        let mut out = Vec::new();
        let mut rest = chunk;
        if self.after_cr {
            self.after_cr = false;
            if let Some(stripped) = rest.strip_prefix(b"\n") {
                rest = stripped;
            }
        }
        while let Some(pos) = rest.iter().position(|&b| b == b'\r' || b == b'\n') {
            self.line.extend_from_slice(&rest[..pos]);
            let line = std::mem::take(&mut self.line);
            self.process_line(&line, &mut out);
            if rest[pos] == b'\r' {
                match rest.get(pos + 1) {
                    Some(b'\n') => rest = &rest[pos + 2..],
                    Some(_) => rest = &rest[pos + 1..],
                    None => {
                        self.after_cr = true;
                        rest = &[];
                    }
                }
            } else {
                rest = &rest[pos + 1..];
            }
        }
        self.line.extend_from_slice(rest);
        out
    }

    fn process_line(&mut self, line: &[u8], out: &mut Vec<SseMessage>) {
        let mut line = line;
        if !self.first_line_done {
            self.first_line_done = true;
            line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        }
        if line.is_empty() {
            if let Some(message) = self.dispatch() {
                out.push(message);
            }
            return;
        }
        if line[0] == b':' {
            return; // a comment
        }
        let text = String::from_utf8_lossy(line);
        let (field, value) = match text.find(':') {
            Some(i) => {
                let value = &text[i + 1..];
                (&text[..i], value.strip_prefix(' ').unwrap_or(value))
            }
            None => (&*text, ""),
        };
        match field {
            "event" => self.event = value.to_owned(),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
                self.has_data = true;
            }
            "id" if !value.contains('\0') => {
                self.last_event_id = value.to_owned();
                self.message_id = (!value.is_empty()).then(|| value.to_owned());
            }
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                // Too many digits to fit: ignored like any other invalid value.
                if let Ok(ms) = value.parse::<u64>() {
                    self.retry = Some(Duration::from_millis(ms));
                }
            }
            _ => {}
        }
    }

    fn dispatch(&mut self) -> Option<SseMessage> {
        let id = self.message_id.take();
        if !self.has_data {
            self.event.clear();
            return None;
        }
        self.has_data = false;
        let mut data = std::mem::take(&mut self.data);
        if data.ends_with('\n') {
            data.pop();
        }
        let event = std::mem::take(&mut self.event);
        let event = if event.is_empty() {
            "message".to_owned()
        } else {
            event
        };
        let last_event_id = self.last_event_id().map(str::to_owned);
        Some(SseMessage {
            event,
            data,
            id,
            last_event_id,
        })
    }
}
