//! Async adaptor for tokio services (feature `tokio`): [`Redactor::redact_async`] turns an
//! `AsyncRead` into redacted output on an `AsyncWrite`.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::sink::RedactSink;
use super::{Framer, StreamOptions, StreamStats};
use crate::error::{Error, Result};
use crate::redactor::Redactor;

impl Redactor {
    /// Reads `reader` to its end and writes every line, redacted, to `writer`, which is
    /// flushed after the data of each read: a pause in the input never holds back a line
    /// already read. A line is written only once it is complete and scanned.
    ///
    /// Scanning is CPU work done on the calling task, a few microseconds per kilobyte; for
    /// large volumes run it where blocking a worker is acceptable.
    ///
    /// # Errors
    /// As [`Redactor::redact_stream`].
    ///
    /// # Cancel safety
    /// Not cancel safe: if the future is dropped, lines read but not yet written are lost
    /// (never written unscanned).
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), velum::Error> {
    /// let r = velum::Redactor::new();
    /// let mut out = Vec::new();
    /// r.redact_async(&b"ssn 536-90-4399\n"[..], &mut out).await?;
    /// assert_eq!(out, b"ssn ***-**-4399\n");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn redact_async<R, W>(&self, mut reader: R, mut writer: W) -> Result<StreamStats>
    where
        R: AsyncRead + Unpin,
        W: AsyncWrite + Unpin,
    {
        let opts = StreamOptions::default();
        let mut framer = Framer::new(self, opts);
        let mut chunk = vec![0u8; 64 << 10];
        let mut out = Vec::new();
        loop {
            let n = loop {
                match reader.read(&mut chunk).await {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(Error::io("reading input", e)),
                }
            };
            // Rendered into memory, then written without blocking the task on the writer.
            let mut sink = RedactSink {
                r: self,
                w: &mut out,
            };
            let stats = if n == 0 {
                Some(framer.finish(self, &mut sink)?)
            } else {
                framer.buffer().extend_from_slice(&chunk[..n]);
                framer.process(self, &mut sink)?;
                None
            };
            writer.write_all(&out).await.map_err(Error::output)?;
            writer.flush().await.map_err(Error::output)?;
            out.clear();
            if let Some(s) = stats {
                return Ok(s);
            }
        }
    }
}
