//! An async ingestion service: clients send JSON events over TCP, one per line; each event is
//! redacted field-aware (`Redactor::redact_json`, field names as context) before it is stored
//! (here: printed). A line that is not JSON is redacted as text, never passed on unscanned.
//!
//! `cargo run --example ingest_tcp` — starts the service on 127.0.0.1, sends a few events
//! from a client task, and stops.

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use velum::Redactor;

async fn serve(listener: TcpListener, redactor: Redactor) -> std::io::Result<()> {
    let (socket, peer) = listener.accept().await?;
    eprintln!("connection from {peer}");
    let mut lines = BufReader::new(socket).lines();
    while let Some(line) = lines.next_line().await? {
        let stored = match serde_json::from_str::<serde_json::Value>(&line) {
            Ok(mut event) => {
                redactor.redact_json(&mut event);
                event.to_string()
            }
            Err(_) => redactor.redact_str(&line).into_owned(),
        };
        println!("stored: {stored}");
    }
    Ok(())
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(serve(listener, Redactor::new()));

    let mut client = TcpStream::connect(addr).await?;
    for event in [
        r#"{"event":"signup","user":{"email":"jane.doe@example.com","phone":"+44 20 7946 0958"}}"#,
        r#"{"event":"payment","card_number":"4111111111111111","amount":42.5,"order_id":884213}"#,
        r#"{"event":"kyc","ssn":536904399,"note":"checked by \"ops\""}"#,
        "not json: refund to DE89 3704 0044 0532 0130 00",
    ] {
        client.write_all(event.as_bytes()).await?;
        client.write_all(b"\n").await?;
    }
    drop(client);
    server.await.expect("server task")?;
    Ok(())
}
