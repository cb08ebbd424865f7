//! Redacting a `tracing` log: every event line passes through a `RedactingWriter` before it
//! reaches stdout.
//!
//! `cargo run --example tracing_log`

use std::io;

use velum::{RedactingWriter, Redactor};

fn main() {
    let redactor = Redactor::new(); // built once; cloning shares it
    tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || RedactingWriter::new(redactor.clone(), io::stdout()))
        .init();

    tracing::info!(user = "jane.doe@example.com", "login");
    tracing::warn!(
        card = "4111 1111 1111 1111",
        amount = 42.5,
        "payment declined"
    );
    tracing::info!(order_id = 884213, "order shipped"); // nothing personal: unchanged
    tracing::error!("callback to +44 20 7946 0958 failed from 203.0.113.9");
}
