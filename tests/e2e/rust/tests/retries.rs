//! The retry rule against the real server process. Lost answers are made by a TCP proxy in front
//! of the server: it forwards the chosen request, waits until the server has answered (the change
//! is made), then drops the connection instead of passing the answer on. 429s come from the
//! server's own rate limiter.
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tka::models::{BeatInput, BeatsReplace, CommandKind, ErrorCode, SequenceCreate, SequencePatch};
use tka::{Error, Tka};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};

const KEY: &str = "e2e-rust-retries-0123456789";

async fn start(extra: &[(&str, &str)]) -> (Child, String) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../..");
    let dir = std::env::temp_dir().join(format!(
        "tka-e2e-rust-retries-{}-{}",
        std::process::id(),
        extra.len()
    ));
    let mut command = Command::new("node");
    command
        .arg(format!("{root}/packages/server/src/main.ts"))
        .env("PORT", "0")
        .env("HOST", "127.0.0.1")
        .env("DATA_DIR", dir)
        .env("LOG_LEVEL", "warn")
        .env("API_KEYS", format!("alpha={KEY}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    for (k, v) in extra {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("start the server");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let url = loop {
        let line = lines
            .next_line()
            .await
            .expect("read")
            .expect("server exited before listening");
        if let Some(rest) = line.split("\"url\":\"").nth(1) {
            break rest.split('"').next().expect("url").to_string();
        }
    };
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, url)
}

/// A proxy to `upstream` that loses the answer to the first request whose method is `lose`, and
/// records the idempotency key of every request with that method.
struct LossyProxy {
    url: String,
    keys: Arc<Mutex<Vec<String>>>,
}

async fn lossy_proxy(upstream: &str, lose: &'static str) -> LossyProxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let target = upstream.trim_start_matches("http://").to_string();
    let keys = Arc::new(Mutex::new(Vec::new()));
    let lost = Arc::new(AtomicUsize::new(0));
    let seen = keys.clone();
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            let (target, seen, lost) = (target.clone(), seen.clone(), lost.clone());
            tokio::spawn(async move {
                let server = TcpStream::connect(&target).await.unwrap();
                let (mut client_read, mut client_write) = client.into_split();
                let (mut server_read, mut server_write) = server.into_split();
                let drop_next = Arc::new(AtomicUsize::new(0));
                let mark = drop_next.clone();
                let upstream = tokio::spawn(async move {
                    let mut buf = vec![0u8; 65536];
                    loop {
                        let n = match client_read.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => n,
                        };
                        let chunk = &buf[..n];
                        if chunk.starts_with(format!("{lose} ").as_bytes()) {
                            let text = String::from_utf8_lossy(chunk).to_lowercase();
                            if let Some(key) = text
                                .lines()
                                .find_map(|l| l.strip_prefix("idempotency-key: "))
                            {
                                seen.lock().unwrap().push(key.trim().to_string());
                            }
                            if lost.fetch_add(1, Ordering::SeqCst) == 0 {
                                mark.store(1, Ordering::SeqCst);
                            }
                        }
                        if server_write.write_all(chunk).await.is_err() {
                            return;
                        }
                    }
                });
                let mut buf = vec![0u8; 65536];
                loop {
                    let n = match server_read.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    if drop_next.load(Ordering::SeqCst) == 1 {
                        // The server answered (the change is made): the client never sees it.
                        break;
                    }
                    if client_write.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                upstream.abort();
            });
        }
    });
    LossyProxy { url, keys }
}

fn client(url: &str, retries: u32) -> Tka {
    Tka::builder()
        .base_url(url)
        .api_key(KEY)
        .max_retries(retries)
        .initial_retry_delay(Duration::from_millis(10))
        .read_env(false)
        .build()
        .expect("client")
}

#[tokio::test(flavor = "multi_thread")]
async fn lost_answers_are_retried_with_their_key_and_applied_once() {
    let (mut server, url) = start(&[]).await;
    let direct = client(&url, 0);

    // A PUT (replace all beats) whose answer was lost: one history entry.
    let seq = direct
        .sequences()
        .create(&SequenceCreate {
            name: "Replace".into(),
            length: Some(2),
            ..Default::default()
        })
        .await
        .unwrap();
    let proxy = lossy_proxy(&url, "PUT").await;
    let beats = BeatsReplace {
        beats: vec![BeatInput {
            letter: Some("a".into()),
            ..Default::default()
        }],
    };
    let replaced = client(&proxy.url, 2)
        .beats()
        .replace(&seq.id, &beats)
        .await
        .unwrap();
    assert_eq!(replaced.word, "A");
    let keys = proxy.keys.lock().unwrap().clone();
    assert_eq!(keys.len(), 2, "sent twice: {keys:?}");
    assert_eq!(keys[0], keys[1]);
    let page = direct.history().list(&seq.id).await.unwrap();
    let commands: Vec<CommandKind> = page.data.iter().map(|e| e.command.clone()).collect();
    assert_eq!(
        commands,
        [CommandKind::BeatsReplace, CommandKind::SequenceCreate]
    );

    // A DELETE whose answer was lost: the replayed success, not a 404.
    let proxy = lossy_proxy(&url, "DELETE").await;
    let deleted = client(&proxy.url, 2)
        .sequences()
        .delete(&seq.id)
        .with_response()
        .await
        .unwrap();
    assert_eq!(deleted.data.id, seq.id);
    assert_eq!(
        deleted
            .headers
            .get("idempotency-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    let keys = proxy.keys.lock().unwrap().clone();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1]);
    server.kill().await.ok();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_patch_answered_429_is_retried_and_one_beyond_the_ceiling_returned_at_once() {
    // One request per second: a PATCH right after another request is a 429 with Retry-After: 1.
    let (mut server, url) = start(&[("RATE_LIMIT", "1/1")]).await;
    let patient = client(&url, 3);
    let seq = patient
        .sequences()
        .create(&SequenceCreate {
            name: "Limited".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut patches = 0;
    for i in 0..3 {
        let patch = SequencePatch {
            name: Some(format!("Name {i}")),
            ..Default::default()
        };
        let done = patient.sequences().update(&seq.id, &patch).await.unwrap();
        assert_eq!(done.name, format!("Name {i}"));
        patches += 1;
    }
    let page = patient.history().list(&seq.id).await.unwrap();
    let updates = page
        .data
        .iter()
        .filter(|e| e.command == CommandKind::SequenceUpdate)
        .count();
    assert_eq!(updates, patches, "every PATCH applied exactly once");

    // A ceiling of half a second: the 429 (Retry-After: 1) is returned at once, delay on it.
    let strict = Tka::builder()
        .base_url(&url)
        .api_key(KEY)
        .max_retries(3)
        .max_retry_after(Duration::from_millis(500))
        .read_env(false)
        .build()
        .unwrap();
    let mut refused = None;
    for i in 0..5 {
        let patch = SequencePatch {
            name: Some(format!("Strict {i}")),
            ..Default::default()
        };
        if let Err(e) = strict.sequences().update(&seq.id, &patch).await {
            refused = Some(e);
            break;
        }
    }
    let error = refused.expect("a 429");
    assert!(matches!(error, Error::RateLimit { .. }), "{error:?}");
    assert!(error
        .retry_after()
        .is_some_and(|d| d >= Duration::from_secs(1)));
    assert_eq!(
        error.problem().map(|p| p.code.clone()),
        Some(ErrorCode::RateLimited)
    );
    server.kill().await.ok();
}
