//! The one integration test binary: end-to-end tests drive the built `velum` binary through
//! stdin/stdout.

mod util;

mod cli;
mod library;
mod stream;
mod vault;
