//! Connections of the service, below HTTP and for plain and TLS alike: a cap on how many are
//! open at once, and on how many one client address holds (one over either cap is closed at
//! once, and said so in the log: one client cannot lock the others out), and two time
//! limits on each — a request must arrive whole within the request timeout of its first byte
//! (a client dripping its headers is cut off), and a connection with nothing read or written
//! for the idle timeout is closed (a client that connects and waits, or stops reading its
//! response).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

use super::Limits;
use super::api::server_log;
use super::per_source::{PerSource, Slot};

/// A listener whose connections are capped and timed.
pub(super) struct Guarded<L> {
    inner: L,
    permits: Arc<Semaphore>,
    max: usize,
    per_client: Arc<PerSource>,
    max_per_client: usize,
    request_timeout: Duration,
    idle_timeout: Duration,
}

impl<L> Guarded<L> {
    pub(super) fn new(inner: L, limits: &Limits) -> Self {
        Self {
            inner,
            permits: Arc::new(Semaphore::new(limits.max_connections)),
            max: limits.max_connections,
            per_client: PerSource::new(limits.max_connections_per_client),
            max_per_client: limits.max_connections_per_client,
            request_timeout: limits.request_timeout,
            idle_timeout: limits.idle_timeout,
        }
    }
}

impl<L> axum::serve::Listener for Guarded<L>
where
    L: axum::serve::Listener<Addr = SocketAddr>,
{
    type Io = GuardedIo<L::Io>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let (io, peer) = self.inner.accept().await;
            // The client's own cap first: a client at its cap takes no slot of the others.
            let Some(slot) = self.per_client.take(peer.ip()) else {
                server_log(format_args!(
                    "connection from {peer} closed: it holds {} connections (--max-connections-per-client)",
                    self.max_per_client
                ));
                drop(io);
                continue;
            };
            match Arc::clone(&self.permits).try_acquire_owned() {
                Ok(permit) => {
                    return (
                        GuardedIo::new(io, (permit, slot), self.request_timeout, self.idle_timeout),
                        peer,
                    );
                }
                Err(_) => {
                    server_log(format_args!(
                        "connection from {peer} closed: {} connections open (--max-connections)",
                        self.max
                    ));
                    drop(io);
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// One connection's bytes, with its slot under the cap and its deadlines.
pub(super) struct GuardedIo<T> {
    inner: T,
    /// Its place under the global cap and under its client's.
    _permit: (OwnedSemaphorePermit, Slot),
    request_timeout: Duration,
    idle_timeout: Duration,
    /// When the request being read began: its first byte after the last response.
    request_started: Option<Instant>,
    last_activity: Instant,
    timer: Pin<Box<Sleep>>,
}

impl<T> GuardedIo<T> {
    fn new(
        inner: T,
        permit: (OwnedSemaphorePermit, Slot),
        request_timeout: Duration,
        idle_timeout: Duration,
    ) -> Self {
        let now = Instant::now();
        Self {
            inner,
            _permit: permit,
            request_timeout,
            idle_timeout,
            request_started: None,
            last_activity: now,
            timer: Box::pin(tokio::time::sleep_until(now + idle_timeout)),
        }
    }

    /// The earliest deadline now in force.
    fn deadline(&self) -> Instant {
        let idle = self.last_activity + self.idle_timeout;
        match self.request_started {
            Some(t) => idle.min(t + self.request_timeout),
            None => idle,
        }
    }

    /// Waits (registering `cx`) for the deadline; an error once it has passed.
    fn poll_deadline(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        let deadline = self.deadline();
        if self.timer.deadline() != deadline {
            self.timer.as_mut().reset(deadline);
        }
        match self.timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(io::Error::new(
                io::ErrorKind::TimedOut,
                if self.request_started.is_some() {
                    "request not received in time"
                } else {
                    "connection idle"
                },
            )),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for GuardedIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    let now = Instant::now();
                    this.last_activity = now;
                    this.request_started.get_or_insert(now);
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => this.poll_deadline(cx).map(Err),
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for GuardedIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Ready(Ok(n)) => {
                // A response is being written: the request it answers has arrived.
                this.last_activity = Instant::now();
                this.request_started = None;
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => this.poll_deadline(cx).map(Err),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_flush(cx) {
            Poll::Pending => this.poll_deadline(cx).map(Err),
            ready => ready,
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    fn io(
        request: u64,
        idle: u64,
    ) -> (GuardedIo<tokio::io::DuplexStream>, tokio::io::DuplexStream) {
        let (a, b) = tokio::io::duplex(64);
        let permit = Arc::new(Semaphore::new(1)).try_acquire_owned().unwrap();
        let slot = PerSource::new(1).take([127, 0, 0, 1].into()).unwrap();
        let g = GuardedIo::new(
            a,
            (permit, slot),
            Duration::from_millis(request),
            Duration::from_millis(idle),
        );
        (g, b)
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_connection_times_out() {
        let (mut g, _client) = io(1000, 50);
        let mut buf = [0u8; 8];
        let e = g.read(&mut buf).await.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
    }

    #[tokio::test(start_paused = true)]
    async fn a_dripping_request_times_out_though_never_idle() {
        let (mut g, mut client) = io(100, 60);
        let drip = tokio::spawn(async move {
            for _ in 0..10 {
                if client.write_all(b"x").await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(40)).await;
            }
            client
        });
        let mut buf = [0u8; 8];
        let started = Instant::now();
        let e = loop {
            match g.read(&mut buf).await {
                Ok(_) => continue,
                Err(e) => break e,
            }
        };
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() < Duration::from_millis(200));
        drop(drip.await);
    }

    #[tokio::test(start_paused = true)]
    async fn a_response_ends_the_request_deadline() {
        let (mut g, mut client) = io(100, 1000);
        client.write_all(b"GET").await.unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(g.read(&mut buf).await.unwrap(), 3);
        tokio::time::sleep(Duration::from_millis(80)).await;
        g.write_all(b"200").await.unwrap();
        // Past the request timeout of the first request, within the idle timeout.
        tokio::time::sleep(Duration::from_millis(80)).await;
        client.write_all(b"GET").await.unwrap();
        assert_eq!(g.read(&mut buf).await.unwrap(), 3);
    }
}
