//! The TKA API from Rust: create and edit a sequence, undo and redo, follow live events, and
//! handle a conflict. Run against a started server:
//!
//!     TKA_BASE_URL=http://127.0.0.1:8080 TKA_API_KEY=$(cat data/api-key) cargo run
//!
//! `Tka::from_env()` reads TKA_BASE_URL and TKA_API_KEY from the environment.
use futures_util::StreamExt;
use tka::models::{
    BeatCreate, BeatInput, BeatMove, BeatPatch, Location, MotionPatch, MotionType, PropRotDir,
    SequenceCreate, SequencePatch, WsClientMessage, WsServerMessage, WsSubscribeMessage,
};
use tka::runtime::WsOptions;
use tka::{Error, Tka};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Tka::from_env()?;

    // 1. Create a sequence from explicit beats, then edit it: the word follows the letters.
    let beat = |letter: &str| BeatInput {
        letter: Some(letter.into()),
        ..Default::default()
    };
    let create = SequenceCreate {
        name: "Example flow".into(),
        beats: Some(vec![beat("A"), beat("B"), beat("C")]),
        ..Default::default()
    };
    let seq = client.sequences().create(&create).await?;
    println!("created {} \"{}\": word {}", seq.id, seq.name, seq.word);
    let id = seq.id.clone();
    let add_d = BeatCreate {
        letter: Some("D".into()),
        duration: Some(2.0),
        ..Default::default()
    };
    let seq = client.beats().add(&id, &add_d).await?;
    let to_front = BeatMove { position: 0 };
    let seq = client
        .beats()
        .r#move(&id, &seq.beats[3].id, &to_front)
        .await?;
    let motion = BeatPatch {
        blue_motion: Some(Some(MotionPatch {
            motion_type: Some(MotionType::Pro),
            prop_rot_dir: Some(PropRotDir::Cw),
            start_loc: Some(Location::N),
            end_loc: Some(Location::E),
            turns: Some(1.0),
            ..Default::default()
        })),
        ..Default::default()
    };
    let seq = client
        .beats()
        .update(&id, &seq.beats[1].id, &motion)
        .await?;
    println!(
        "edited: word {}, {} beats, {} s",
        seq.word, seq.length, seq.total_duration
    );

    // 2. Undo and redo: every edit is a command with a description.
    let undone = client.history().undo(&id).await?;
    let word = undone.sequence.map(|s| s.word).unwrap_or_default();
    println!("undid \"{}\": word {word}", undone.entry.description);
    let redone = client.history().redo(&id).await?;
    println!(
        "redid \"{}\": next undo is \"{}\"",
        redone.entry.description,
        redone.history.undo_description.unwrap_or_default()
    );

    // 3. Follow live events: subscribe over the WebSocket, change the sequence once the server
    //    confirmed the subscription, and print the events as they arrive.
    let mut ws = client.events().connect_web_socket(WsOptions::default())?;
    ws.send(&WsClientMessage::Subscribe(WsSubscribeMessage {
        r#type: "subscribe".into(),
        sequence_ids: Some(vec![id.clone()]),
        ..Default::default()
    }))?;
    let mut seen = 0;
    while let Some(message) = ws.next().await {
        match message? {
            WsServerMessage::Subscribed(_) => {
                let rename = SequencePatch {
                    name: Some("Example flow, live".into()),
                    ..Default::default()
                };
                client.sequences().update(&id, &rename).await?;
                let add_e = BeatCreate {
                    letter: Some("E".into()),
                    ..Default::default()
                };
                client.beats().add(&id, &add_e).await?;
            }
            WsServerMessage::Event(message) => {
                let event = serde_json::to_value(&message.event)?;
                println!(
                    "event {} -> version {}",
                    event["type"].as_str().unwrap_or("?"),
                    event["sequence_version"]
                );
                seen += 1;
                if seen == 2 {
                    break;
                }
            }
            _ => {}
        }
    }
    ws.close();

    // 4. Handle a conflict: an edit made on an old version (If-Match) is refused with 412
    //    instead of overwriting someone else's change. Read the latest, apply the edit to it.
    let stale = client.sequences().get(&id).await?;
    let tempo = SequencePatch {
        metadata: Some(Some([("tempo".to_string(), serde_json::json!(96))].into())),
        ..Default::default()
    };
    client.sequences().update(&id, &tempo).await?; // someone else's edit
    let mine = SequencePatch {
        name: Some("Mine".into()),
        ..Default::default()
    };
    let seq = match client
        .sequences()
        .update(&id, &mine)
        .if_match(stale.version)
        .await
    {
        Err(Error::PreconditionFailed(error)) => {
            println!(
                "conflict: {} (request {}); retrying on the latest version",
                error.code.as_deref().unwrap_or("?"),
                error.request_id.as_deref().unwrap_or("?")
            );
            let latest = client.sequences().get(&id).await?;
            client
                .sequences()
                .update(&id, &mine)
                .if_match(latest.version)
                .await?
        }
        other => other?,
    };
    println!(
        "done: \"{}\" at version {}, metadata {}",
        seq.name,
        seq.version,
        serde_json::to_string(&seq.metadata)?
    );
    Ok(())
}
