//! [`ReadAhead`]: reads on a thread of its own, so that whatever a pipe has ready reaches the
//! framer in one large batch (a pipe hands out at most 64 KiB per read) — enough to scan on
//! every core — while a pause in the input still returns at once what has arrived.

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};

/// Bytes per read on the reading thread.
const CHUNK: usize = 64 << 10;
/// Chunks in flight: bounds the memory held ahead (2 MiB).
const DEPTH: usize = 64;

/// A reader that reads ahead on a thread.
///
/// Each `read` waits for the first chunk the thread has, then takes every further chunk that is
/// already there (up to the buffer's size) without waiting: large batches when the input is
/// fast, prompt delivery when it pauses. At most 2 MiB are held ahead. Read errors arrive in
/// order, after the data read before them.
///
/// # Example
/// ```
/// use std::io::Read;
/// let mut r = velum::ReadAhead::new(std::io::Cursor::new(b"a\nb\n".to_vec()));
/// let mut all = Vec::new();
/// r.read_to_end(&mut all)?;
/// assert_eq!(all, b"a\nb\n");
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct ReadAhead {
    rx: Receiver<io::Result<Vec<u8>>>,
    pending: Vec<u8>,
    at: usize,
    done: bool,
}

impl std::fmt::Debug for ReadAhead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadAhead")
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

fn pump<R: Read>(mut inner: R, tx: SyncSender<io::Result<Vec<u8>>>) {
    loop {
        let mut buf = vec![0u8; CHUNK];
        match inner.read(&mut buf) {
            Ok(n) => {
                buf.truncate(n);
                // A closed receiver means the consumer stopped: so does the thread.
                if tx.send(Ok(buf)).is_err() || n == 0 {
                    return;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        }
    }
}

impl ReadAhead {
    /// Starts reading `inner` on a new thread.
    pub fn new<R: Read + Send + 'static>(inner: R) -> Self {
        let (tx, rx) = sync_channel(DEPTH);
        std::thread::spawn(move || pump(inner, tx));
        Self {
            rx,
            pending: Vec::new(),
            at: 0,
            done: false,
        }
    }

    /// Copies from the current chunk; true when it is used up.
    fn take(&mut self, out: &mut [u8], filled: &mut usize) -> bool {
        let n = (self.pending.len() - self.at).min(out.len() - *filled);
        out[*filled..*filled + n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        *filled += n;
        self.at == self.pending.len()
    }

    fn accept(&mut self, chunk: io::Result<Vec<u8>>) -> io::Result<()> {
        let chunk = chunk?;
        if chunk.is_empty() {
            self.done = true;
        }
        self.pending = chunk;
        self.at = 0;
        Ok(())
    }
}

impl Read for ReadAhead {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let mut filled = 0;
        if out.is_empty() {
            return Ok(0);
        }
        if self.at == self.pending.len() && !self.done {
            // Wait for the first chunk only.
            match self.rx.recv() {
                Ok(c) => self.accept(c)?,
                Err(_) => self.done = true,
            }
        }
        while filled < out.len() {
            if !self.take(out, &mut filled) {
                break;
            }
            if self.done {
                break;
            }
            match self.rx.try_recv() {
                Ok(c) => {
                    if let Err(e) = self.accept(c) {
                        // Hand out what was gathered; the error comes with the next read.
                        if filled > 0 {
                            self.pending = Vec::new();
                            self.at = 0;
                            self.deferred_error(e);
                            break;
                        }
                        return Err(e);
                    }
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    self.done = true;
                    break;
                }
            }
        }
        Ok(filled)
    }
}

impl ReadAhead {
    fn deferred_error(&mut self, e: io::Error) {
        let (tx, rx) = sync_channel(1);
        let _ = tx.send(Err(e));
        self.rx = rx;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_arrives_in_order() {
        let data: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
        let mut r = ReadAhead::new(io::Cursor::new(data.clone()));
        let mut got = Vec::new();
        let mut buf = vec![0u8; 300_000];
        loop {
            let n = r.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, data);
        assert_eq!(r.read(&mut buf).unwrap(), 0, "EOF stays EOF");
    }

    #[test]
    fn errors_come_after_the_data_before_them() {
        struct Fails(u8);
        impl Read for Fails {
            fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::other("disk on fire"));
                }
                self.0 -= 1;
                b[0] = b'x';
                Ok(1)
            }
        }
        let mut r = ReadAhead::new(Fails(3));
        let mut got = Vec::new();
        let err = r.read_to_end(&mut got).unwrap_err();
        assert_eq!(got, b"xxx");
        assert_eq!(err.to_string(), "disk on fire");
    }
}
