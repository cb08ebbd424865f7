//! What makes a job resumable after a crash: the manifest (one JSON record per output known
//! complete, appended and fsynced only after the output was renamed into place), the check
//! that a recorded output still holds, and the removal of temporaries a killed run left.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Item, MANIFEST, Plan, TMP_PREFIX, output_dir, root_of};
use crate::error::{Error, Result};

/// The manifest of a running job: the records an earlier run left, and the file new ones are
/// appended to (each synced before [`Manifest::append`] returns).
pub(super) struct Manifest {
    path: PathBuf,
    done: HashMap<PathBuf, Record>,
    file: Mutex<File>,
    /// The first append that failed: the job's result, once every file has run.
    failed: Mutex<Option<Error>>,
}

impl Manifest {
    /// Reads the records at `root` (a torn last line, from a crash while appending, is
    /// ignored) and opens the manifest to append, refusing a symbolic link or anything but a
    /// regular file.
    pub(super) fn open(root: &Path) -> Result<Self> {
        let path = root.join(MANIFEST);
        if fs::symlink_metadata(&path).is_ok_and(|m| !m.is_file()) {
            return Err(Error::config(format!(
                "manifest {}: not a regular file (a symbolic link?); refusing to follow or replace it",
                path.display()
            )));
        }
        let mut done = HashMap::new();
        // A manifest not ending in a newline ends in half a record: the next append starts
        // on a line of its own, or it would be glued to the half and lost.
        let mut torn = false;
        if let Ok(text) = fs::read_to_string(&path) {
            for r in text
                .lines()
                .filter_map(|l| serde_json::from_str::<Record>(l).ok())
            {
                done.insert(r.output.clone(), r);
            }
            torn = !text.is_empty() && !text.ends_with('\n');
        }
        let mut open = OpenOptions::new();
        open.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // A link swapped in after the check above is refused too.
            open.custom_flags(libc::O_NOFOLLOW);
        }
        let mut file = open
            .open(&path)
            .map_err(|e| Error::io(format!("manifest {}", path.display()), e))?;
        if torn {
            file.write_all(b"\n")
                .map_err(|e| Error::io(format!("manifest {}", path.display()), e))?;
        }
        Ok(Self {
            path,
            done,
            file: Mutex::new(file),
            failed: Mutex::new(None),
        })
    }

    /// True when an earlier run of `job` recorded `item`'s output and it still holds: the
    /// input unchanged (size and mtime) and the output's hash the recorded one.
    pub(super) fn is_complete(&self, item: &Item, job: &str) -> bool {
        is_complete(item, self.done.get(&item.rel), job)
    }

    /// Appends `rec` and syncs it; a failure is kept for [`Manifest::finish`].
    pub(super) fn append(&self, rec: &Record) {
        let mut m = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let line = serde_json::to_string(rec).expect("records serialise") + "\n";
        if let Err(e) = m.write_all(line.as_bytes()).and_then(|()| m.sync_data()) {
            let mut failed = self.failed.lock().unwrap_or_else(|e| e.into_inner());
            failed.get_or_insert(Error::io(format!("manifest {}", self.path.display()), e));
        }
    }

    /// The first append that failed, if any.
    pub(super) fn finish(self) -> Result<()> {
        match self.failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// A path in the manifest, exactly: a string when it is UTF-8, else its bytes in hex
/// (`{"hex": "62ff2e6c6f67"}`), so a resumed job finds a file of any name again.
mod exact_path {
    use std::path::{Path, PathBuf};

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Text(String),
        Raw { hex: String },
    }

    pub(super) fn serialize<S: Serializer>(p: &Path, s: S) -> Result<S::Ok, S::Error> {
        match p.to_str() {
            Some(t) => Repr::Text(t.to_owned()),
            None => Repr::Raw {
                hex: p
                    .as_os_str()
                    .as_encoded_bytes()
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect(),
            },
        }
        .serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PathBuf, D::Error> {
        match Repr::deserialize(d)? {
            Repr::Text(t) => Ok(PathBuf::from(t)),
            Repr::Raw { hex } => {
                let bytes: Option<Vec<u8>> = (0..hex.len())
                    .step_by(2)
                    .map(|i| {
                        hex.get(i..i + 2)
                            .and_then(|h| u8::from_str_radix(h, 16).ok())
                    })
                    .collect();
                let bytes = bytes.ok_or_else(|| serde::de::Error::custom("bad hex path"))?;
                #[cfg(unix)]
                {
                    use std::os::unix::ffi::OsStringExt;
                    Ok(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
                }
                #[cfg(not(unix))]
                {
                    Ok(PathBuf::from(String::from_utf8_lossy(&bytes).into_owned()))
                }
            }
        }
    }
}

/// A manifest record: an output known complete.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct Record {
    #[serde(with = "exact_path")]
    output: PathBuf,
    job: String,
    input_size: u64,
    input_mtime_ns: u128,
    output_sha256: String,
}

impl Record {
    /// The record of `item`'s output, written by `job` from an input now described by
    /// `input` (in place, the output itself), with the output's SHA-256 in hex.
    pub(super) fn new(item: &Item, job: &str, input: &fs::Metadata, output_sha256: String) -> Self {
        Self {
            output: item.rel.clone(),
            job: job.to_owned(),
            input_size: input.len(),
            input_mtime_ns: mtime_ns(input),
            output_sha256,
        }
    }
}

fn mtime_ns(meta: &fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

fn sha256_file(path: &Path) -> io::Result<String> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(data_encoding::HEXLOWER.encode(&h.finalize()))
}

fn is_complete(item: &Item, rec: Option<&Record>, job: &str) -> bool {
    let Some(rec) = rec else { return false };
    if rec.job != job {
        return false;
    }
    // In place, the input is the output: its hash is the whole check.
    if item.input != item.output {
        let Ok(meta) = fs::metadata(&item.input) else {
            return false;
        };
        if meta.len() != rec.input_size || mtime_ns(&meta) != rec.input_mtime_ns {
            return false;
        }
    }
    sha256_file(&item.output).is_ok_and(|h| h == rec.output_sha256)
}

/// Removes `.velum-tmp-*` files a killed run left beside the outputs.
pub(super) fn clean_stale_temps(plan: &Plan) {
    let mut dirs: Vec<(&Path, &Path)> = plan
        .items
        .iter()
        .filter_map(|i| Some((root_of(i), i.output.parent()?)))
        .collect();
    dirs.sort();
    dirs.dedup();
    for (root, d) in dirs {
        if output_dir(root, d, false).is_err() {
            continue; // missing, or behind a link: nothing of ours to clean there
        }
        if let Ok(entries) = fs::read_dir(d) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
                    let _ = fs::remove_file(e.path());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(root: &Path) -> Item {
        let (input, output) = (root.join("in.log"), root.join("out.log"));
        fs::write(&input, "a\n").unwrap();
        fs::write(&output, "b\n").unwrap();
        Item {
            input,
            rel: PathBuf::from("out.log"),
            output,
            size: 2,
        }
    }

    #[test]
    fn a_record_holds_until_its_output_or_job_changes_and_a_torn_line_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let it = item(dir.path());
        let m = Manifest::open(dir.path()).unwrap();
        assert!(!m.is_complete(&it, "job"));
        let digest = sha256_file(&it.output).unwrap();
        m.append(&Record::new(
            &it,
            "job",
            &fs::metadata(&it.input).unwrap(),
            digest,
        ));
        m.finish().unwrap();
        // A crash while appending leaves half a record: the others still read.
        let mut f = OpenOptions::new()
            .append(true)
            .open(dir.path().join(MANIFEST))
            .unwrap();
        f.write_all(b"{\"output\":\"out.l").unwrap();
        let m = Manifest::open(dir.path()).unwrap();
        assert!(m.is_complete(&it, "job"));
        assert!(!m.is_complete(&it, "another job"));
        // The record appended after the torn line is read back too.
        let other = Item {
            rel: PathBuf::from("other.log"),
            ..it.clone()
        };
        let digest = sha256_file(&it.output).unwrap();
        m.append(&Record::new(
            &other,
            "job",
            &fs::metadata(&it.input).unwrap(),
            digest,
        ));
        m.finish().unwrap();
        let m = Manifest::open(dir.path()).unwrap();
        assert!(m.is_complete(&other, "job") && m.is_complete(&it, "job"));
        fs::write(&it.output, "B\n").unwrap();
        assert!(
            !m.is_complete(&it, "job"),
            "an output changed since is redone"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_manifest_that_is_a_link_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        fs::write(&elsewhere, "").unwrap();
        std::os::unix::fs::symlink(&elsewhere, dir.path().join(MANIFEST)).unwrap();
        let err = Manifest::open(dir.path()).err().expect("refused");
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }
}
