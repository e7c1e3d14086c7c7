//! The TKA scenario over the generated Rust SDK, against the real server process.
use std::process::Stdio;

use futures_util::StreamExt;
use tka::models::{
    BeatCreate, BeatInput, BeatMove, BeatPatch, ChangeEvent, EventType, SequenceCreate,
    SequencePatch, WsClientMessage, WsServerMessage, WsSubscribeMessage,
};
use tka::resources::sequences;
use tka::runtime::WsOptions;
use tka::{Error, Tka};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const KEY_A: &str = "e2e-rust-alpha-0123456789";
const KEY_B: &str = "e2e-rust-beta-0123456789";

struct Server {
    child: Child,
    url: String,
    data_dir: String,
}

async fn start(data_dir: &str, extra: &[(&str, &str)]) -> Server {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../..");
    let mut command = Command::new("node");
    command
        .arg(format!("{root}/packages/server/src/main.ts"))
        .env("PORT", "0")
        .env("HOST", "127.0.0.1")
        .env("DATA_DIR", data_dir)
        .env("LOG_LEVEL", "warn")
        .env("API_KEYS", format!("alpha={KEY_A},beta={KEY_B}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    for (k, v) in extra {
        command.env(k, v);
    }
    let mut child = command
        .spawn()
        .expect("start the server (is node on PATH?)");
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
    Server {
        child,
        url,
        data_dir: data_dir.to_string(),
    }
}

fn client(url: &str, key: &str) -> Tka {
    Tka::builder()
        .base_url(url)
        .api_key(key)
        .max_retries(0)
        .read_env(false)
        .build()
        .expect("client")
}

fn beat(letter: &str) -> BeatInput {
    BeatInput {
        letter: Some(letter.to_string()),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_tka_scenario() {
    let dir = std::env::temp_dir().join(format!("tka-e2e-rust-{}", std::process::id()));
    let dir = dir.to_string_lossy().to_string();
    let mut server = start(&dir, &[]).await;
    let tka = client(&server.url, KEY_A);

    // Create by length and by explicit beats.
    let blank = tka
        .sequences()
        .create(&SequenceCreate {
            name: "Blank".into(),
            length: Some(4),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(blank.length, 4);
    let flow = tka
        .sequences()
        .create(&SequenceCreate {
            name: "Flow".into(),
            beats: Some(vec![beat("a"), beat("b")]),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(flow.word, "AB");
    // Date-times decode as RFC 3339 into a time type.
    assert!(flow.created_at <= tka::runtime::DateTime::now_utc());
    assert!(flow.updated_at >= flow.created_at);

    // List every sequence across pages.
    for i in 0..3 {
        tka.sequences()
            .create(&SequenceCreate {
                name: format!("Extra {i}"),
                ..Default::default()
            })
            .await
            .unwrap();
    }
    let names: Vec<String> = tka
        .sequences()
        .list()
        .limit(2)
        .items()
        .map(|s| s.unwrap().name)
        .collect()
        .await;
    assert_eq!(names.len(), 5);
    assert_eq!(&names[3..], ["Flow", "Blank"]);
    // Filters are setters too; a whole params struct can be passed instead.
    let extra = tka.sequences().list().name_contains("extra").limit(2);
    let extras: Vec<String> = extra.items().map(|s| s.unwrap().name).collect().await;
    assert_eq!(extras, ["Extra 2", "Extra 1", "Extra 0"]);
    let page = tka
        .sequences()
        .list()
        .params(sequences::SequencesListParams {
            word: Some("nothing-has-this-word".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(page.data.is_empty());

    // Beats: append, insert, update, move, remove; the word follows.
    let id = flow.id.clone();
    tka.beats()
        .add(
            &id,
            &BeatCreate {
                letter: Some("c".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let seq = tka
        .beats()
        .add(
            &id,
            &BeatCreate {
                letter: Some("z".into()),
                position: Some(0),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(seq.word, "ZABC");
    let z = seq.beats[0].id.clone();
    let a = seq.beats[1].id.clone();
    let seq = tka
        .beats()
        .update(
            &id,
            &a,
            &BeatPatch {
                letter: Some(Some("q".into())),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(seq.word, "ZQBC");
    let seq = tka
        .beats()
        .r#move(&id, &z, &BeatMove { position: 3 })
        .await
        .unwrap();
    assert_eq!(seq.word, "QBCZ");
    let seq = tka.beats().remove(&id, &z).await.unwrap();
    assert_eq!(seq.word, "QBC");

    // Live changes over the WebSocket: subscribe to beat additions of this sequence, add one.
    let mut ws = tka
        .events()
        .connect_web_socket(WsOptions::default())
        .unwrap();
    ws.send(&WsClientMessage::Subscribe(WsSubscribeMessage {
        r#type: "subscribe".into(),
        event_types: Some(vec![EventType::BeatAdded]),
        sequence_ids: Some(vec![id.clone()]),
        ..Default::default()
    }))
    .unwrap();
    let event = loop {
        match ws
            .next()
            .await
            .expect("a message")
            .expect("a decoded message")
        {
            WsServerMessage::Subscribed(_) => {
                let added = BeatCreate {
                    letter: Some("w".into()),
                    ..Default::default()
                };
                tka.beats().add(&id, &added).await.unwrap();
            }
            WsServerMessage::Event(message) => break message.event,
            _ => {}
        }
    };
    ws.close();
    let added_id = match event {
        ChangeEvent::BeatAdded(added) => {
            assert_eq!(added.data.beat.letter.as_deref(), Some("W"));
            added.id
        }
        other => panic!("expected beat.added, got {other:?}"),
    };
    tka.history().undo(&id).await.unwrap();

    // Undo and redo, deletion included; the history lists it.
    tka.sequences().delete(&id).await.unwrap();

    // The SSE stream resumed after the beat: its `types` and `sequence_id` setters skip the
    // undo that came first, so the deletion is the first event.
    let mut events = tka
        .events()
        .stream()
        .types([EventType::SequenceDeleted])
        .sequence_id([id.clone()])
        .last_event_id_start(Some(added_id));
    match events
        .next()
        .await
        .expect("an event")
        .expect("a decoded event")
    {
        ChangeEvent::SequenceDeleted(deleted) => assert_eq!(deleted.sequence_id, id),
        other => panic!("expected sequence.deleted, got {other:?}"),
    }
    events.close();
    assert!(matches!(
        tka.sequences().get(&id).await,
        Err(Error::NotFound(_))
    ));
    let restored = tka.history().undo(&id).await.unwrap();
    assert_eq!(restored.sequence.map(|s| s.word), Some("QBC".to_string()));
    let back = tka.history().undo(&id).await.unwrap();
    assert_eq!(back.sequence.map(|s| s.word), Some("QBCZ".to_string()));
    let again = tka.history().redo(&id).await.unwrap();
    assert_eq!(again.sequence.map(|s| s.word), Some("QBC".to_string()));
    let page = tka.history().list(&id).await.unwrap();
    assert!(page.data.iter().any(|e| e.undone));

    // A stale If-Match (a version number or the tag as sent) is a typed 412 whose body is the
    // contract's Problem model.
    let patch = SequencePatch {
        name: Some("Late".into()),
        ..Default::default()
    };
    let stale = tka.sequences().update(&id, &patch).if_match(1).await;
    match &stale {
        Err(e @ Error::PreconditionFailed(_)) => {
            let problem = e.problem().expect("the declared Problem model");
            assert_eq!(problem.code, tka::models::ErrorCode::VersionMismatch);
            assert_eq!(Some(problem.request_id.as_str()), e.request_id());
        }
        other => panic!("expected a 412, got {other:?}"),
    }
    assert!(matches!(
        tka.sequences().update(&id, &patch).if_match("\"1\"").await,
        Err(Error::PreconditionFailed(_))
    ));

    // The same idempotency key twice creates one sequence.
    let body = SequenceCreate {
        name: "Once".into(),
        ..Default::default()
    };
    let first = tka
        .sequences()
        .create(&body)
        .idempotency_key("rust-once")
        .await
        .unwrap();
    let second = tka
        .sequences()
        .create(&body)
        .idempotency_key("rust-once")
        .await
        .unwrap();
    assert_eq!(first.id, second.id);

    // Wrong key: typed 401; another project's key: typed 404.
    assert!(matches!(
        client(&server.url, "not-a-key-0123456789")
            .sequences()
            .get(&id)
            .await,
        Err(Error::Authentication(_))
    ));
    assert!(matches!(
        client(&server.url, KEY_B).sequences().get(&id).await,
        Err(Error::NotFound(_))
    ));

    // Validation failures: typed 422 listing each field.
    let invalid = tka
        .sequences()
        .create(&SequenceCreate {
            name: String::new(),
            length: Some(65),
            ..Default::default()
        })
        .await;
    match invalid {
        Err(Error::UnprocessableEntity(e)) => {
            // The body decoded as the contract's Problem model: typed fields, no map.
            let problem = e.problem().expect("the declared Problem model");
            let errors = problem.errors.clone().unwrap_or_default();
            let mut fields: Vec<String> = errors.into_iter().map(|f| f.field).collect();
            fields.sort();
            assert_eq!(fields, ["/length", "/name"]);
        }
        other => panic!("expected a 422, got {other:?}"),
    }

    // Input models are closed: they hold no unknown member to send, and refuse one when read.
    let typo = serde_json::from_str::<BeatCreate>(r#"{"lettr":"A"}"#);
    assert!(typo
        .unwrap_err()
        .to_string()
        .contains("unknown field `lettr`"));
    let sent = serde_json::to_value(SequenceCreate {
        name: "n".into(),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(sent, serde_json::json!({ "name": "n" }));

    // A restart keeps every acknowledged change and the history.
    let before = tka.sequences().get(&id).await.unwrap();
    server.child.kill().await.ok();
    let mut server = start(&server.data_dir, &[]).await;
    let tka = client(&server.url, KEY_A);
    assert_eq!(tka.sequences().get(&id).await.unwrap(), before);
    assert!(tka.history().undo(&id).await.is_ok());

    // Rate limiting: a typed 429 with Retry-After.
    server.child.kill().await.ok();
    let mut server = start(&dir, &[("RATE_LIMIT", "2/1")]).await;
    let limited = client(&server.url, KEY_A);
    limited.health().get().await.unwrap();
    let _ = limited.sequences().get(&id).await;
    let _ = limited.sequences().get(&id).await;
    match limited.sequences().get(&id).await {
        Err(Error::RateLimit { retry_after, .. }) => assert!(retry_after.is_some()),
        other => panic!("expected a 429, got {other:?}"),
    }
    server.child.kill().await.ok();
}
