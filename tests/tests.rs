//! The one integration test binary: end-to-end tests drive the built `velum` binary through
//! stdin/stdout.

mod util;

mod bad_input;
#[cfg(feature = "batch")]
mod batch;
mod cli;
mod custody;
mod entities_doc;
mod fail_closed;
mod fhir;
mod hsm;
mod leak;
mod leak_gen;
mod library;
mod properties;
mod readme;
mod reallogs;
#[cfg(feature = "server")]
mod server;
mod stream;
mod vault;
