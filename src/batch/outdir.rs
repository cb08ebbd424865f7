//! Outputs written relative to directory handles. A path checked and then used can change in
//! between: a directory of the output tree swapped for a symbolic link while the job runs
//! would send the next file outside `--out`. So the tree below the output root is opened one
//! component at a time (`openat` with `O_NOFOLLOW | O_DIRECTORY`, creating what is missing
//! with `mkdirat`), and each output is a temporary file created in the held directory handle
//! and renamed into place within it (`renameat`): once a directory is open, no later change
//! of any path can move what is written through it.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::path::{Component, Path};

#[cfg(unix)]
use rustix::fs::{AtFlags, CWD, Mode, OFlags, mkdirat, openat, renameat, unlinkat};

/// A directory of the output tree, held open.
#[cfg(unix)]
pub(super) struct Dir(std::os::fd::OwnedFd);

/// Why a directory could not be opened: a symbolic link (or a file) where a directory of the
/// tree should be, or an I/O error.
#[derive(Debug)]
pub(super) enum OpenError {
    Link,
    Io(io::Error),
}

#[cfg(unix)]
impl Dir {
    /// Opens `below` (a relative path of plain components) under `root`, following no
    /// symbolic link below the root (the root is the user's choice), creating directories
    /// where missing when `create`.
    pub(super) fn open(root: &Path, below: &Path, create: bool) -> Result<Self, OpenError> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let mut fd =
            openat(CWD, root, flags, Mode::empty()).map_err(|e| OpenError::Io(e.into()))?;
        for c in below.components() {
            let Component::Normal(name) = c else {
                return Err(OpenError::Io(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "not a plain relative path",
                )));
            };
            let open = |at: &std::os::fd::OwnedFd| {
                openat(at, name, flags | OFlags::NOFOLLOW, Mode::empty())
            };
            fd = match open(&fd) {
                Ok(d) => d,
                Err(rustix::io::Errno::NOENT) if create => {
                    match mkdirat(&fd, name, Mode::from_raw_mode(0o777)) {
                        // Made by another worker meanwhile: opened below all the same.
                        Ok(()) | Err(rustix::io::Errno::EXIST) => {}
                        Err(e) => return Err(OpenError::Io(e.into())),
                    }
                    open(&fd).map_err(link_or_io)?
                }
                Err(e) => return Err(link_or_io(e)),
            };
        }
        Ok(Self(fd))
    }

    /// A new temporary file in this directory, named `prefix` and a random suffix.
    pub(super) fn temp(self, prefix: &str) -> io::Result<Temp> {
        for attempt in 0u32..100 {
            let name = OsString::from(format!("{prefix}{:016x}", random(attempt)));
            let flags =
                OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            match openat(&self.0, name.as_os_str(), flags, Mode::from_raw_mode(0o600)) {
                Ok(fd) => {
                    return Ok(Temp {
                        dir: self,
                        name,
                        file: File::from(fd),
                        kept: false,
                    });
                }
                Err(rustix::io::Errno::EXIST) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "no free temporary name",
        ))
    }
}

#[cfg(unix)]
fn link_or_io(e: rustix::io::Errno) -> OpenError {
    // O_NOFOLLOW on a link gives ELOOP; O_DIRECTORY on a file ENOTDIR.
    if e == rustix::io::Errno::LOOP || e == rustix::io::Errno::NOTDIR {
        OpenError::Link
    } else {
        OpenError::Io(e.into())
    }
}

/// A suffix no other worker or run picks at the same time.
fn random(attempt: u32) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(attempt);
    h.write_u32(std::process::id());
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

/// A temporary output file in a held directory: renamed into place there by
/// [`Temp::persist`], removed if dropped before.
#[cfg(unix)]
pub(super) struct Temp {
    dir: Dir,
    name: OsString,
    file: File,
    kept: bool,
}

#[cfg(unix)]
impl Temp {
    pub(super) fn file(&self) -> &File {
        &self.file
    }

    /// Renames the file to `name` in its directory (replacing what was there) and makes the
    /// rename durable.
    pub(super) fn persist(mut self, name: &OsStr) -> io::Result<()> {
        renameat(&self.dir.0, self.name.as_os_str(), &self.dir.0, name)?;
        self.kept = true;
        rustix::fs::fsync(&self.dir.0)?;
        Ok(())
    }
}

#[cfg(unix)]
impl Drop for Temp {
    fn drop(&mut self) {
        if !self.kept {
            let _ = unlinkat(&self.dir.0, self.name.as_os_str(), AtFlags::empty());
        }
    }
}

/// Elsewhere than Unix: paths, checked component by component (no `openat` in std).
#[cfg(not(unix))]
pub(super) struct Dir(std::path::PathBuf);

#[cfg(not(unix))]
impl Dir {
    pub(super) fn open(root: &Path, below: &Path, create: bool) -> Result<Self, OpenError> {
        let mut cur = root.to_path_buf();
        for c in below.components() {
            cur.push(c);
            match std::fs::symlink_metadata(&cur) {
                Ok(m) if m.is_dir() => {}
                Ok(_) => return Err(OpenError::Link),
                Err(e) if e.kind() == io::ErrorKind::NotFound && create => {
                    std::fs::create_dir(&cur).or_else(|e| {
                        if e.kind() == io::ErrorKind::AlreadyExists {
                            Ok(())
                        } else {
                            Err(OpenError::Io(e))
                        }
                    })?;
                }
                Err(e) => return Err(OpenError::Io(e)),
            }
        }
        Ok(Self(cur))
    }

    pub(super) fn temp(self, prefix: &str) -> io::Result<Temp> {
        for attempt in 0u32..100 {
            let name = OsString::from(format!("{prefix}{:016x}", random(attempt)));
            match File::create_new(self.0.join(&name)) {
                Ok(file) => {
                    return Ok(Temp {
                        dir: self,
                        name,
                        file,
                        kept: false,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "no free temporary name",
        ))
    }
}

#[cfg(not(unix))]
pub(super) struct Temp {
    dir: Dir,
    name: OsString,
    file: File,
    kept: bool,
}

#[cfg(not(unix))]
impl Temp {
    pub(super) fn file(&self) -> &File {
        &self.file
    }

    pub(super) fn persist(mut self, name: &OsStr) -> io::Result<()> {
        std::fs::rename(self.dir.0.join(&self.name), self.dir.0.join(name))?;
        self.kept = true;
        Ok(())
    }
}

#[cfg(not(unix))]
impl Drop for Temp {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(self.dir.0.join(&self.name));
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_link_below_the_root_is_never_followed() {
        let d = tempfile::tempdir().unwrap();
        let (root, elsewhere) = (d.path().join("out"), d.path().join("elsewhere"));
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, root.join("a/b")).unwrap();
        assert!(matches!(
            Dir::open(&root, Path::new("a/b/c"), true),
            Err(OpenError::Link)
        ));
        assert!(std::fs::read_dir(&elsewhere).unwrap().next().is_none());
        // Created where missing; the file lands in the directory held, under its name.
        let t = Dir::open(&root, Path::new("x/y"), true)
            .unwrap()
            .temp(".velum-tmp-")
            .unwrap();
        io::Write::write_all(&mut t.file(), b"data").unwrap();
        t.persist(OsStr::new("f.log")).unwrap();
        assert_eq!(std::fs::read(root.join("x/y/f.log")).unwrap(), b"data");
        assert_eq!(std::fs::read_dir(root.join("x/y")).unwrap().count(), 1);
    }

    /// The race of issue 24: the directory is swapped for a link after it was opened. What
    /// is written goes where the handle points, never through the link.
    #[test]
    fn a_swap_after_opening_cannot_move_the_output() {
        let d = tempfile::tempdir().unwrap();
        let (root, elsewhere) = (d.path().join("out"), d.path().join("elsewhere"));
        std::fs::create_dir_all(root.join("app")).unwrap();
        std::fs::create_dir_all(&elsewhere).unwrap();
        let t = Dir::open(&root, Path::new("app"), true)
            .unwrap()
            .temp(".velum-tmp-")
            .unwrap();
        std::fs::rename(root.join("app"), d.path().join("moved")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, root.join("app")).unwrap();
        t.persist(OsStr::new("a.log")).unwrap();
        assert!(std::fs::read_dir(&elsewhere).unwrap().next().is_none());
        assert!(d.path().join("moved/a.log").exists());
    }

    #[test]
    fn a_temp_dropped_unpersisted_is_removed() {
        let d = tempfile::tempdir().unwrap();
        let t = Dir::open(d.path(), Path::new(""), false)
            .unwrap()
            .temp(".velum-tmp-")
            .unwrap();
        drop(t);
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 0);
    }
}
