//! Key custody on the command line: where a keyring comes from (`--keyring`, a passphrase
//! from a file descriptor, a file named by the environment or a terminal prompt — never a
//! flag's value — and `age` identities), the warning for a keyring in clear, and
//! `velum keyring encrypt|decrypt|rekey|identity`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Args, Subcommand};
use velum::Error;
use velum::vault::{Keyring, Protection, Unlock};
use zeroize::Zeroizing;

use super::exit;

/// Where the keyring is and what opens it, flattened into every command that reads one.
#[derive(Args)]
pub(crate) struct KeyringArgs {
    /// Keyring file (JSON in clear or sealed, mode 0600); defaults to $VELUM_KEYRING.
    #[arg(long, value_name = "FILE", env = "VELUM_KEYRING")]
    pub(crate) keyring: Option<PathBuf>,
    /// Read the passphrase of a sealed keyring from this open file descriptor (one line).
    /// Also: VELUM_KEYRING_PASSPHRASE_FILE=FILE, or a prompt on the terminal.
    #[arg(long, value_name = "N")]
    pub(crate) passphrase_fd: Option<u32>,
    /// An `age` identity file (AGE-SECRET-KEY-1…, mode 0600) for a keyring encrypted to
    /// recipients; defaults to $VELUM_KEYRING_IDENTITY.
    #[arg(long, value_name = "FILE", env = "VELUM_KEYRING_IDENTITY")]
    pub(crate) identity: Option<PathBuf>,
    /// The PKCS#11 module (a shared library, e.g. /usr/lib/softhsm/libsofthsm2.so) of the
    /// HSM a keyring is (or is to be) sealed in; defaults to $VELUM_HSM_MODULE. Never taken
    /// from the keyring file.
    #[arg(long, value_name = "LIB", env = "VELUM_HSM_MODULE")]
    pub(crate) hsm_module: Option<PathBuf>,
    /// The user PIN of that HSM's token (a file, mode 0600); defaults to $VELUM_HSM_PIN_FILE.
    #[arg(long, value_name = "FILE", env = "VELUM_HSM_PIN_FILE")]
    pub(crate) hsm_pin_file: Option<PathBuf>,
}

/// Once per process: the warning for a keyring in clear.
static WARNED: AtomicBool = AtomicBool::new(false);

/// Reads one secret line from file descriptor `fd` (through `/dev/fd`, no `unsafe`).
fn read_fd(fd: u32, what: &str) -> Result<Zeroizing<String>, Error> {
    let origin = format!("{what} (file descriptor {fd})");
    let mut f = std::fs::File::open(format!("/dev/fd/{fd}"))
        .map_err(|e| Error::io(format!("{origin}: cannot read"), e))?;
    let mut bytes = Zeroizing::new(Vec::new());
    f.read_to_end(&mut bytes)
        .map_err(|e| Error::io(format!("{origin}: cannot read"), e))?;
    // One line: what follows a first newline is not part of it.
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| i + 1);
    velum_secret(&bytes[..end], &origin)
}

fn velum_secret(bytes: &[u8], origin: &str) -> Result<Zeroizing<String>, Error> {
    let s = std::str::from_utf8(bytes)
        .map_err(|_| Error::usage(&format!("{origin}: not UTF-8 text")))?;
    let s = s.strip_suffix('\n').unwrap_or(s);
    let s = s.strip_suffix('\r').unwrap_or(s);
    if s.is_empty() {
        return Err(Error::usage(&format!("{origin}: empty")));
    }
    Ok(Zeroizing::new(s.to_owned()))
}

/// Asks on the terminal, echo off. With no terminal to ask on, the keyring stays locked
/// (exit 4), saying how to give the passphrase instead.
fn prompt(question: &str) -> Result<Zeroizing<String>, Error> {
    let p = rpassword::prompt_password(question).map_err(|_| {
        Error::locked(
            "a passphrase is needed and there is no terminal to ask on: use --passphrase-fd N \
             or VELUM_KEYRING_PASSPHRASE_FILE=FILE",
        )
    })?;
    velum_secret(p.as_bytes(), "the passphrase typed")
}

impl KeyringArgs {
    pub(crate) fn path(&self) -> Result<&PathBuf, Error> {
        self.keyring
            .as_ref()
            .ok_or_else(|| Error::usage("no keyring: give --keyring FILE or set VELUM_KEYRING"))
    }

    /// What opens a sealed keyring: the passphrase from `--passphrase-fd`, else
    /// `VELUM_KEYRING_PASSPHRASE_FILE`, else a prompt; the identity file.
    pub(crate) fn unlock(&self) -> Result<Unlock, Error> {
        let mut u = Unlock::default();
        if let Some(fd) = self.passphrase_fd {
            u = u.with_passphrase(read_fd(fd, "passphrase")?);
        } else if let Some(p) = std::env::var_os("VELUM_KEYRING_PASSPHRASE_FILE") {
            u = u.with_passphrase_file(Path::new(&p))?;
        } else {
            u = u.with_prompt(prompt);
        }
        if let Some(id) = &self.identity {
            u = u.with_identity_file(id)?;
        }
        if let Some(pin) = &self.hsm_pin_file {
            u = u.with_hsm_pin_file(pin)?;
        }
        if let Some(m) = &self.hsm_module {
            u = u.with_hsm_module(m);
        }
        Ok(u)
    }

    /// Opens the keyring (with core dumps off first); warns once when it is in clear.
    pub(crate) fn open(&self) -> Result<(Keyring, Protection), Error> {
        super::vault::no_core_dumps();
        let path = self.path()?;
        let (k, how) = Keyring::open(path, &self.unlock()?)?;
        if matches!(how, Protection::Clear) && !WARNED.swap(true, Ordering::Relaxed) {
            eprintln!(
                "velum: warning: keyring {} is stored in clear: whoever reads the file, a backup \
                 or a copy of it holds every key; `velum keyring encrypt {}` seals it",
                path.display(),
                path.display()
            );
        }
        Ok((k, how))
    }

    pub(crate) fn load(&self) -> Result<Keyring, Error> {
        Ok(self.open()?.0)
    }
}

/// How a keyring is to be sealed: to recipients, or with a new passphrase.
#[derive(Args)]
pub(crate) struct SealArgs {
    /// Encrypt to this `age` X25519 recipient (age1…), for a machine identity; repeatable.
    /// Without one, the keyring is sealed with a passphrase.
    #[arg(long, value_name = "AGE1…")]
    recipient: Vec<String>,
    /// Recipients, one per line (`#` comments).
    #[arg(long, value_name = "FILE")]
    recipients_file: Option<PathBuf>,
    /// Seal inside the HSM token with this label (the module from --hsm-module, the PIN
    /// from --hsm-pin-file).
    #[arg(long, value_name = "LABEL")]
    hsm_token: Option<String>,
    /// With --hsm-token: the label of the AES key in the token (`velum keyring hsm-key`
    /// makes it).
    #[arg(
        long,
        value_name = "LABEL",
        default_value = "velum-keyring",
        requires = "hsm_token"
    )]
    hsm_key: String,
    /// Read the new passphrase from this open file descriptor (one line). Also:
    /// VELUM_KEYRING_NEW_PASSPHRASE_FILE=FILE, or a prompt (asked twice) on the terminal.
    #[arg(long, value_name = "N")]
    new_passphrase_fd: Option<u32>,
}

impl SealArgs {
    pub(crate) fn wants_sealing(&self) -> bool {
        self.hsm_token.is_some()
            || !self.recipient.is_empty()
            || self.recipients_file.is_some()
            || self.new_passphrase_fd.is_some()
            || std::env::var_os("VELUM_KEYRING_NEW_PASSPHRASE_FILE").is_some()
    }

    /// The protection asked for (`keyring` gives the HSM PIN).
    pub(crate) fn protection(&self, keyring: &KeyringArgs) -> Result<Protection, Error> {
        if let Some(token) = &self.hsm_token {
            let module = keyring.hsm_module.clone().ok_or_else(|| {
                Error::usage(
                    "sealing in an HSM needs its PKCS#11 module: --hsm-module LIB or VELUM_HSM_MODULE",
                )
            })?;
            let pin = hsm_pin(keyring)?;
            return Ok(Protection::Pkcs11(
                velum::vault::HsmKey {
                    module,
                    token: token.clone(),
                    key: self.hsm_key.clone(),
                },
                pin,
            ));
        }
        let mut rs = self.recipient.clone();
        if let Some(f) = &self.recipients_file {
            let text = std::fs::read_to_string(f)
                .map_err(|e| Error::io(format!("recipients file {}", f.display()), e))?;
            rs.extend(
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_owned),
            );
        }
        if !rs.is_empty() {
            return Ok(Protection::Recipients(rs));
        }
        let p = if let Some(fd) = self.new_passphrase_fd {
            read_fd(fd, "new passphrase")?
        } else if let Some(f) = std::env::var_os("VELUM_KEYRING_NEW_PASSPHRASE_FILE") {
            Unlock::default()
                .with_passphrase_file(Path::new(&f))?
                .into_passphrase()
                .expect("a passphrase file gives a passphrase")
        } else {
            let a = prompt("new passphrase: ")?;
            let b = prompt("the same again: ")?;
            if a != b {
                return Err(Error::usage(
                    "the two passphrases differ; nothing was changed",
                ));
            }
            a
        };
        if p.chars().count() < 8 {
            return Err(Error::usage(
                "a passphrase needs at least 8 characters; nothing was changed",
            ));
        }
        Ok(Protection::Passphrase(p))
    }
}

/// The HSM PIN of `--hsm-pin-file` / `VELUM_HSM_PIN_FILE`.
fn hsm_pin(keyring: &KeyringArgs) -> Result<Zeroizing<String>, Error> {
    let path = keyring.hsm_pin_file.as_ref().ok_or_else(|| {
        Error::usage("the HSM needs its user PIN: --hsm-pin-file FILE or VELUM_HSM_PIN_FILE=FILE")
    })?;
    Ok(Unlock::default()
        .with_hsm_pin_file(path)?
        .into_hsm_pin()
        .expect("a PIN file gives a PIN"))
}

#[derive(Subcommand)]
pub(crate) enum KeyringCommand {
    /// Seal a keyring in clear: with a passphrase, or to `age` recipients (--recipient).
    Encrypt {
        #[command(flatten)]
        keyring: KeyringArgs,
        #[command(flatten)]
        seal: SealArgs,
    },
    /// Write a sealed keyring back in clear (mode 0600).
    Decrypt {
        #[command(flatten)]
        keyring: KeyringArgs,
    },
    /// Re-seal a sealed keyring: a new passphrase, or new recipients.
    Rekey {
        #[command(flatten)]
        keyring: KeyringArgs,
        #[command(flatten)]
        seal: SealArgs,
    },
    /// Make the AES-256 key that seals keyrings inside an HSM token (sensitive, never
    /// extractable): --hsm-module, --hsm-token, --hsm-key, and the PIN from --hsm-pin-file.
    HsmKey {
        /// The PKCS#11 module (shared library).
        #[arg(long, value_name = "LIB")]
        hsm_module: PathBuf,
        /// The token's label.
        #[arg(long, value_name = "LABEL")]
        hsm_token: String,
        /// The label to give the key.
        #[arg(long, value_name = "LABEL", default_value = "velum-keyring")]
        hsm_key: String,
        /// The token's user PIN (a file, mode 0600); defaults to $VELUM_HSM_PIN_FILE.
        #[arg(long, value_name = "FILE", env = "VELUM_HSM_PIN_FILE")]
        hsm_pin_file: PathBuf,
    },
    /// Make an `age` identity for a machine (mode 0600) and print its recipient.
    Identity {
        /// Write the identity here (refuses to overwrite).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

fn describe(how: &Protection) -> String {
    match how {
        Protection::Clear => "in clear".into(),
        Protection::Passphrase(_) => "sealed with a passphrase (Argon2id, AES-256-GCM-SIV)".into(),
        Protection::Recipients(r) => format!("encrypted to {} age recipient(s)", r.len()),
        Protection::Pkcs11(k, _) => format!("sealed in HSM token {:?} by key {:?}", k.token, k.key),
        _ => "sealed".into(),
    }
}

/// Seals a keyring anew: `encrypt` (from clear) or `rekey` (from a sealed form).
fn reseal(keyring: &KeyringArgs, seal: &SealArgs, rekey: bool) -> Result<(), Error> {
    let path = keyring.path()?.clone();
    let (k, how) = keyring.open()?;
    match (rekey, matches!(how, Protection::Clear)) {
        (false, false) => {
            return Err(Error::usage(&format!(
                "keyring {} is already {}; use `velum keyring rekey` to change how",
                path.display(),
                describe(&how)
            )));
        }
        (true, true) => {
            return Err(Error::usage(&format!(
                "keyring {} is in clear; use `velum keyring encrypt`",
                path.display()
            )));
        }
        _ => {}
    }
    let new = seal.protection(keyring)?;
    k.save_as(&path, &new)?;
    eprintln!(
        "velum: keyring {} is now {}",
        path.display(),
        describe(&new)
    );
    Ok(())
}

pub(crate) fn run(c: KeyringCommand) -> Result<u8, Error> {
    match c {
        KeyringCommand::Encrypt { keyring, seal } => reseal(&keyring, &seal, false)?,
        KeyringCommand::Decrypt { keyring } => {
            let path = keyring.path()?.clone();
            let (k, how) = keyring.open()?;
            if matches!(how, Protection::Clear) {
                return Err(Error::usage(&format!(
                    "keyring {} is already in clear",
                    path.display()
                )));
            }
            k.save_as(&path, &Protection::Clear)?;
            eprintln!(
                "velum: keyring {} is now in clear (mode 0600): keep it off backups and shared disks",
                path.display()
            );
        }
        KeyringCommand::Rekey { keyring, seal } => reseal(&keyring, &seal, true)?,
        KeyringCommand::HsmKey {
            hsm_module,
            hsm_token,
            hsm_key,
            hsm_pin_file,
        } => {
            let pin = Unlock::default()
                .with_hsm_pin_file(&hsm_pin_file)?
                .into_hsm_pin()
                .expect("a PIN file gives a PIN");
            let key = velum::vault::HsmKey {
                module: hsm_module,
                token: hsm_token,
                key: hsm_key,
            };
            velum::vault::make_hsm_key(&key, &pin)?;
            eprintln!(
                "velum: made key {:?} in token {:?} (AES-256, never extractable)",
                key.key, key.token
            );
        }
        KeyringCommand::Identity { out } => {
            if out.exists() {
                return Err(Error::usage(&format!("{} exists", out.display())));
            }
            let (secret, recipient) = velum::vault::new_identity();
            write_private(&out, secret.as_bytes())?;
            println!("{recipient}");
            eprintln!(
                "velum: wrote identity {} (mode 0600); its recipient is printed above",
                out.display()
            );
        }
    }
    Ok(exit::OK)
}

/// Writes a new file only its owner may read.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| Error::io(format!("writing {}", path.display()), e))
}
