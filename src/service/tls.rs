//! The service's listeners: TLS files loaded and checked (rustls), a TLS accepting listener
//! for axum, and the client address each connection reports.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use super::api::server_log;
use super::conn::Guarded;
use super::per_source::PerSource;
use super::{Limits, TlsFiles};
use crate::error::{Error, Result};

pub(super) fn load_tls(files: &TlsFiles) -> Result<tokio_rustls::TlsAcceptor> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let bad = |p: &PathBuf, what: &str| Error::config(format!("{}: {what}", p.display()));
    crate::vault::keyring::check_private(&files.key, "TLS key")?;
    let certs = CertificateDer::pem_file_iter(&files.cert)
        .map_err(|e| bad(&files.cert, &format!("cannot read certificates: {e}")))?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| bad(&files.cert, &format!("malformed certificate PEM: {e}")))?;
    if certs.is_empty() {
        return Err(bad(&files.cert, "no certificate in the file"));
    }
    // The error of a malformed key file never quotes the key.
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .map_err(|_| bad(&files.key, "no readable private key (PEM) in the file"))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::config(format!("TLS: {e}")))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| {
            Error::config(format!(
                "{} and {}: certificate and key do not form a usable pair: {e}",
                files.cert.display(),
                files.key.display()
            ))
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// Accepts TCP connections and hands out finished TLS sessions; handshakes run on their own
/// tasks with a time limit (`--handshake-timeout`), and each client address may have only so
/// many unfinished at once (`--max-handshakes-per-client`; one more is closed at once), so a
/// client that opens connections and never finishes their handshakes holds up nobody else.
pub(super) struct TlsListener {
    ready: tokio::sync::mpsc::Receiver<(
        tokio_rustls::server::TlsStream<tokio::net::TcpStream>,
        SocketAddr,
    )>,
    local: SocketAddr,
    acceptor_task: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    pub(super) fn new(
        mut tcp: TcpListener,
        acceptor: tokio_rustls::TlsAcceptor,
        limits: &Limits,
    ) -> Self {
        let local = tcp.local_addr().expect("a bound listener has an address");
        let (tx, ready) = tokio::sync::mpsc::channel(256);
        let pending = PerSource::new(limits.max_handshakes_per_client);
        let (timeout, most): (Duration, usize) =
            (limits.handshake_timeout, limits.max_handshakes_per_client);
        let acceptor_task = tokio::spawn(async move {
            loop {
                let (stream, peer) = axum::serve::Listener::accept(&mut tcp).await;
                let Some(slot) = pending.take(peer.ip()) else {
                    server_log(format_args!(
                        "connection from {peer} closed: {most} TLS handshakes unfinished (--max-handshakes-per-client)"
                    ));
                    drop(stream);
                    continue;
                };
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    let done = tokio::time::timeout(timeout, acceptor.accept(stream)).await;
                    // The handshake is over, finished or not: its slot goes back.
                    drop(slot);
                    match done {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, peer)).await;
                        }
                        Ok(Err(e)) => {
                            server_log(format_args!("TLS handshake with {peer} failed: {e}"));
                        }
                        Err(_) => server_log(format_args!("TLS handshake with {peer} timed out")),
                    }
                });
            }
        });
        Self {
            ready,
            local,
            acceptor_task,
        }
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.acceptor_task.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(conn) => conn,
            // The acceptor task only ends when aborted, after the server stopped accepting.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

/// The client's address, for the per-address rate limit before authentication.
#[derive(Clone, Copy, Debug)]
pub(super) struct Peer(pub(super) SocketAddr);

impl<L> axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, Guarded<L>>> for Peer
where
    L: axum::serve::Listener<Addr = SocketAddr>,
{
    fn connect_info(stream: axum::serve::IncomingStream<'_, Guarded<L>>) -> Self {
        Self(*stream.remote_addr())
    }
}
