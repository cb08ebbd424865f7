//! Commands that touch keys: `tokenize`, `detokenize`, `retokenize`, `keygen`,
//! `audit verify`, `vault hash-key`. Keys are never printed; API keys come from the
//! environment or a file, never from the command line (other users can see it).

use std::io::{self, BufReader, Read, Write};
use std::path::PathBuf;

use clap::{Args, Subcommand};
use velum::vault::{
    self, AuditLog, AuditRepair, AuditVerdict, KeyState, Keyring, Vault, VaultPolicy,
};
use velum::{Error, Redactor};

use super::{PolicyArgs, exit, for_each_input, stdout};

pub(crate) use super::keyring::KeyringArgs;

/// Keeps key material and revealed values out of core dumps for the rest of the process:
/// its core size limit is set to 0 and (Linux) it is made non-dumpable, which also keeps
/// other processes of the same user from attaching to it. Called before a keyring is read or
/// made. Best effort: where the system refuses, the command still runs.
pub(crate) fn no_core_dumps() {
    #[cfg(unix)]
    {
        let zero = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit reads the struct we pass; no memory is shared or kept.
        unsafe {
            libc::setrlimit(libc::RLIMIT_CORE, &zero);
        }
        #[cfg(target_os = "linux")]
        // SAFETY: PR_SET_DUMPABLE takes plain integer arguments and changes only this
        // process's flag.
        unsafe {
            libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
        }
    }
}

fn velum_config(msg: &str) -> Error {
    Error::usage(msg)
}

#[derive(Args)]
pub(crate) struct TokenizeArgs {
    /// Input files; stdin when none or `-`.
    files: Vec<PathBuf>,
    #[command(flatten)]
    policy: PolicyArgs,
    #[command(flatten)]
    keyring: KeyringArgs,
    /// How lines are read (default: by the file's name, `.csv`/`.tsv` with a header, else
    /// `auto`).
    #[arg(long, value_enum)]
    format: Option<super::FormatArg>,
}

pub(crate) fn tokenize(a: TokenizeArgs) -> Result<u8, Error> {
    let r = Redactor::with_keyring(&a.policy.load()?.tokenize_all(), a.keyring.load()?)?;
    super::redact_inputs(&r, &a.files, a.format, false)
}

#[derive(Args)]
pub(crate) struct DetokenizeArgs {
    /// Input files; stdin when none or `-`.
    files: Vec<PathBuf>,
    #[command(flatten)]
    keyring: KeyringArgs,
    /// Vault policy (TOML): principals, roles, what each role may reveal.
    #[arg(long, value_name = "FILE")]
    vault_policy: PathBuf,
    /// Audit log to append every decision to; defaults to $VELUM_AUDIT_LOG.
    #[arg(long, value_name = "FILE", env = "VELUM_AUDIT_LOG")]
    audit_log: Option<PathBuf>,
    /// Why the values are needed (required by some roles); recorded in the audit log.
    #[arg(long)]
    purpose: Option<String>,
    /// File holding the API key; otherwise $VELUM_API_KEY.
    #[arg(long, value_name = "FILE")]
    api_key_file: Option<PathBuf>,
}

fn api_key(file: Option<&PathBuf>) -> Result<zeroize::Zeroizing<Vec<u8>>, Error> {
    let mut key = match file {
        Some(p) => {
            // A secret: the owner's only, and the size of a key, not of a file read by mistake.
            let meta = std::fs::metadata(p)
                .map_err(|e| Error::io(format!("{}: cannot read API key", p.display()), e))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = meta.permissions().mode() & 0o777;
                if mode & 0o077 != 0 {
                    return Err(velum_config(&format!(
                        "{}: API key file readable by group or others (mode {mode:04o}); run `chmod 600 {}`",
                        p.display(),
                        p.display()
                    )));
                }
            }
            if meta.len() > 4096 {
                return Err(velum_config(&format!(
                    "{}: larger than 4096 bytes: not an API key file",
                    p.display()
                )));
            }
            std::fs::read(p)
                .map_err(|e| Error::io(format!("{}: cannot read API key", p.display()), e))?
        }
        None => std::env::var_os("VELUM_API_KEY")
            .map(|v| v.into_encoded_bytes())
            .ok_or_else(|| {
                velum_config("no API key: set VELUM_API_KEY or give --api-key-file FILE")
            })?,
    };
    while key.last().is_some_and(|b| matches!(b, b'\n' | b'\r')) {
        key.pop();
    }
    Ok(zeroize::Zeroizing::new(key))
}

pub(crate) fn detokenize(a: DetokenizeArgs) -> Result<u8, Error> {
    if let Some(p) = &a.purpose {
        vault::check_purpose(p).map_err(|why| velum_config(&format!("--purpose: {why}")))?;
    }
    let keyring = a.keyring.load()?;
    let audit_path = a.audit_log.as_ref().ok_or_else(|| {
        velum_config("no audit log: give --audit-log FILE or set VELUM_AUDIT_LOG")
    })?;
    let mut audit = AuditLog::open(audit_path, &keyring)?;
    let vault = Vault::new(keyring, VaultPolicy::load(&a.vault_policy)?);
    let key = api_key(a.api_key_file.as_ref())?;
    let Some(principal) = vault.authenticate_audited(&key, &mut audit)? else {
        return Err(velum_config("the API key is not recognised"));
    };
    let principal = principal.clone();
    // Nothing could be released: say what is missing before reading any input.
    vault.check_can_release(&principal, a.purpose.as_deref())?;
    let mut out = stdout();
    let mut total = vault::TokenStats::default();
    let code = for_each_input(&a.files, &Redactor::new(), |_, _, reader| {
        let s = vault.detokenize_stream(
            &principal,
            a.purpose.as_deref(),
            &mut audit,
            BufReader::new(reader),
            &mut out,
        )?;
        total = total.add(&s);
        Ok(())
    })?;
    out.flush().map_err(Error::output)?;
    eprintln!(
        "velum: detokenize: {} revealed, {} partially, {} left as tokens (not authorised: {}, invalid: {}, key unknown or retired: {})",
        total.revealed,
        total.partial,
        total.left(),
        total.denied,
        total.invalid,
        total.unavailable
    );
    if total.no_purpose > 0 {
        eprintln!(
            "velum: detokenize: {} of them need a purpose for your role: give --purpose \"...\"",
            total.no_purpose
        );
    }
    if total.denied > total.no_purpose {
        eprintln!(
            "velum: detokenize: {} are of types your roles may not reveal (the vault policy's \
             roles say which)",
            total.denied - total.no_purpose
        );
    }
    Ok(code)
}

#[derive(Args)]
pub(crate) struct RetokenizeArgs {
    /// Input files; stdin when none or `-`.
    files: Vec<PathBuf>,
    #[command(flatten)]
    keyring: KeyringArgs,
}

pub(crate) fn retokenize(a: RetokenizeArgs) -> Result<u8, Error> {
    let keyring = a.keyring.load()?;
    let mut out = stdout();
    let mut total = vault::TokenStats::default();
    let code = for_each_input(&a.files, &Redactor::new(), |_, _, reader| {
        total = total.add(&vault::retokenize_stream(
            &keyring,
            BufReader::new(reader),
            &mut out,
        )?);
        Ok(())
    })?;
    out.flush().map_err(Error::output)?;
    eprintln!(
        "velum: retokenize: {} tokens re-made under key {}, {} left (invalid: {}, key unknown or retired: {})",
        total.revealed,
        keyring.active_id(),
        total.left(),
        total.invalid,
        total.unavailable
    );
    Ok(code)
}

#[derive(Args)]
pub(crate) struct KeygenArgs {
    /// Write a new keyring here (refuses to overwrite); in clear unless --seal or
    /// --recipient says how to seal it.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["rotate", "retire"])]
    out: Option<PathBuf>,
    /// With --out: seal the new keyring with a passphrase (asked, or --new-passphrase-fd).
    #[arg(long, requires = "out")]
    seal: bool,
    #[command(flatten)]
    sealing: super::keyring::SealArgs,
    /// Add a new active key to the keyring; the old active key becomes decrypt-only. A
    /// sealed keyring stays sealed the same way.
    #[arg(long)]
    rotate: bool,
    /// Retire a key: its tokens are no longer opened.
    #[arg(long, value_name = "ID")]
    retire: Option<u32>,
    #[command(flatten)]
    keyring: KeyringArgs,
}

pub(crate) fn keygen(a: KeygenArgs) -> Result<u8, Error> {
    if let Some(out) = &a.out {
        if out.exists() {
            return Err(velum_config(&format!(
                "{} exists; use --rotate to add a key to it",
                out.display()
            )));
        }
        no_core_dumps();
        let how = if a.seal || a.sealing.wants_sealing() {
            a.sealing.protection(&a.keyring)?
        } else {
            vault::Protection::Clear
        };
        Keyring::generate()?.save_as(out, &how)?;
        eprintln!(
            "velum: wrote keyring {} (key 1 active, mode 0600, {})",
            out.display(),
            how.name()
        );
        return Ok(exit::OK);
    }
    if !a.rotate && a.retire.is_none() {
        return Err(velum_config(
            "keygen needs --out FILE, --rotate or --retire ID",
        ));
    }
    let path = a.keyring.path()?.clone();
    let (mut k, how) = a.keyring.open()?;
    if let Some(id) = a.retire {
        k.retire(id)?;
        eprintln!("velum: key {id} retired");
    }
    if a.rotate {
        let id = k.rotate()?;
        eprintln!("velum: key {id} is now active; older keys are decrypt-only");
    }
    k.save_as(&path, &how)?;
    let states: Vec<String> = k
        .key_states()
        .iter()
        .map(|(id, s)| {
            let s = match s {
                KeyState::Active => "active",
                KeyState::DecryptOnly => "decrypt-only",
                KeyState::Retired => "retired",
            };
            format!("{id}:{s}")
        })
        .collect();
    eprintln!("velum: keys {}", states.join(" "));
    Ok(exit::OK)
}

#[derive(Subcommand)]
pub(crate) enum AuditCommand {
    /// Check an audit log's hash chain: exit 0 when intact, 1 naming the first bad record.
    Verify {
        /// The audit log (JSON lines).
        file: PathBuf,
        #[command(flatten)]
        keyring: KeyringArgs,
    },
    /// Cut off a torn last record (a write cut short), keeping the verified records before
    /// it; its bytes move to FILE.torn. Exit 1, changing nothing, for any other damage. Run
    /// it while nothing writes to the log.
    Repair {
        /// The audit log (JSON lines).
        file: PathBuf,
        #[command(flatten)]
        keyring: KeyringArgs,
    },
    /// Read the log (and with --follow, keep reading as it grows) and print an alert line
    /// (JSON, an OCSF Detection Finding) when a principal reveals more than --max-reveals or
    /// --factor times its usual rate in a window, when refusals spike, or when the chain
    /// stops verifying. Exit 1 when it alerted (without --follow).
    Watch(WatchArgs),
}

#[derive(Args)]
pub(crate) struct WatchArgs {
    /// The audit log (JSON lines).
    file: PathBuf,
    #[command(flatten)]
    keyring: KeyringArgs,
    /// Keep reading as the log grows (until interrupted).
    #[arg(long)]
    follow: bool,
    /// Window length in seconds.
    #[arg(long, value_name = "S", default_value_t = 60)]
    window: u64,
    /// Reveals by one principal in one window that always alert (0: none).
    #[arg(long, value_name = "N", default_value_t = 0)]
    max_reveals: u64,
    /// A window over this multiple of the principal's usual rate alerts.
    #[arg(long, value_name = "X", default_value_t = 10.0)]
    factor: f64,
    /// ...when it also holds at least this many reveals (or refusals).
    #[arg(long, value_name = "N", default_value_t = 20)]
    min_burst: u64,
    /// Windows of history a principal needs before its usual rate is used.
    #[arg(long, value_name = "N", default_value_t = 5)]
    warmup: u32,
    /// Refusals in one window that always alert (0: none).
    #[arg(long, value_name = "N", default_value_t = 0)]
    max_refusals: u64,
    /// Append the alerts to this file rather than print them.
    #[arg(long, value_name = "FILE")]
    alerts: Option<PathBuf>,
}

impl WatchArgs {
    pub(crate) fn config(&self) -> Result<vault::WatchConfig, Error> {
        if self.window == 0 || !self.factor.is_finite() || self.factor <= 1.0 {
            return Err(velum_config(
                "--window must be at least 1 and --factor above 1",
            ));
        }
        let mut c = vault::WatchConfig::default();
        c.window_secs = self.window;
        c.max_reveals = self.max_reveals;
        c.factor = self.factor;
        c.min_burst = self.min_burst;
        c.warmup = self.warmup;
        c.max_refusals = self.max_refusals;
        Ok(c)
    }
}

/// `velum audit watch`.
fn watch(a: &WatchArgs) -> Result<u8, Error> {
    let cfg = a.config()?;
    let keyring = a.keyring.load()?;
    let mut w = vault::AuditWatcher::new(&keyring, cfg);
    let mut sink: Box<dyn Write> = match &a.alerts {
        Some(p) => Box::new(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .map_err(|e| Error::io(format!("alerts file {}", p.display()), e))?,
        ),
        None => Box::new(io::stdout().lock()),
    };
    let mut alerted = 0u64;
    let stop = std::sync::atomic::AtomicBool::new(false);
    vault::follow_log(
        &a.file,
        &mut w,
        a.follow,
        std::time::Duration::from_millis(500),
        &stop,
        &mut |alert| {
            alerted += 1;
            alert.write_line(&mut sink)
        },
    )?;
    eprintln!(
        "velum: audit watch: {} records, {alerted} alert(s)",
        w.records()
    );
    Ok(if alerted > 0 {
        exit::FINDINGS
    } else {
        exit::OK
    })
}

pub(crate) fn audit(c: AuditCommand) -> Result<u8, Error> {
    match c {
        AuditCommand::Verify { file, keyring } => {
            match vault::verify_audit(&file, &keyring.load()?)? {
                AuditVerdict::Intact { records, head } => {
                    println!("intact: {records} records; last MAC {head}");
                    Ok(exit::OK)
                }
                AuditVerdict::Tampered { line, what } => {
                    println!("tampered: line {line}: {what}");
                    Ok(exit::FINDINGS)
                }
            }
        }
        AuditCommand::Watch(a) => watch(&a),
        AuditCommand::Repair { file, keyring } => {
            match vault::repair_audit(&file, &keyring.load()?)? {
                AuditRepair::Intact { records } => {
                    println!("intact: {records} records; nothing to repair");
                    Ok(exit::OK)
                }
                AuditRepair::Truncated {
                    records,
                    line,
                    offset,
                    moved_to,
                    bytes,
                } => {
                    println!(
                        "repaired: {records} verified records kept; cut line {line} (the \
                         last, without a newline: {bytes} bytes from offset {offset}), moved \
                         to {}",
                        moved_to.display()
                    );
                    Ok(exit::OK)
                }
                AuditRepair::Refused { line, what } => {
                    println!(
                        "tampered: line {line}: {what}; not repaired (only a torn last record is)"
                    );
                    Ok(exit::FINDINGS)
                }
            }
        }
    }
}

#[derive(Subcommand)]
pub(crate) enum VaultCommand {
    /// Read an API key on stdin and print the line that stores its hash in a vault policy.
    HashKey,
    /// Serve tokenize and detokenize over HTTPS (see the README's "Vault service").
    #[cfg(feature = "server")]
    Serve(Box<ServeArgs>),
}

#[cfg(feature = "server")]
#[derive(Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on, e.g. 0.0.0.0:8443 (port 0 picks a free port).
    #[arg(long, value_name = "ADDR")]
    listen: std::net::SocketAddr,
    #[command(flatten)]
    keyring: KeyringArgs,
    /// Vault policy (TOML): principals, roles, what each may reveal or tokenise.
    #[arg(long, value_name = "FILE")]
    vault_policy: PathBuf,
    /// Audit log to append every decision to; defaults to $VELUM_AUDIT_LOG.
    #[arg(long, value_name = "FILE", env = "VELUM_AUDIT_LOG")]
    audit_log: Option<PathBuf>,
    /// Server certificate chain (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// Server private key (PEM, mode 0600).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Serve plain HTTP: allowed only on a loopback address.
    #[arg(long, conflicts_with = "tls_cert")]
    insecure: bool,
    #[command(flatten)]
    policy: PolicyArgs,
    /// Requests per second per principal (and per client address before authentication).
    #[arg(long, value_name = "N", default_value_t = 100.0)]
    rate: f64,
    /// Requests a principal may make at once before --rate applies.
    #[arg(long, value_name = "N", default_value_t = 200)]
    burst: u32,
    /// Largest request body in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
    max_body: usize,
    /// Most values or tokens in one request.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    max_batch: usize,
    /// Most connections open at once (one more is closed at once).
    #[arg(long, value_name = "N", default_value_t = 256)]
    max_connections: usize,
    /// Most connections one client address may hold open (so one client cannot lock out
    /// the others).
    #[arg(long, value_name = "N", default_value_t = 32)]
    max_connections_per_client: usize,
    /// Most TLS handshakes one client address may have unfinished at once.
    #[arg(long, value_name = "N", default_value_t = 8)]
    max_handshakes_per_client: usize,
    /// Seconds a TLS handshake may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    handshake_timeout: f64,
    /// Audit log bytes per second; beyond, requests get 429 until the next second.
    #[arg(long, value_name = "BYTES", default_value_t = 16 << 20)]
    audit_bytes_per_second: u64,
    /// Seconds a request may take to arrive whole, from its first byte.
    #[arg(long, value_name = "SECONDS", default_value_t = 20.0)]
    request_timeout: f64,
    /// Seconds a connection may stay with nothing sent or received.
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
    idle_timeout: f64,
    /// Seconds in-flight requests get to finish after SIGTERM or Ctrl-C.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    shutdown_grace: f64,
    /// Do not log a line per request on stderr.
    #[arg(long)]
    quiet: bool,
    /// Accept OAuth 2.0 / OIDC bearer tokens (JWT access tokens) from this issuer: their
    /// `iss`; their keys come from its discovery document unless --jwks or --jwks-url says.
    #[arg(long, value_name = "URL", requires = "jwt_audience")]
    jwt_issuer: Option<String>,
    /// The audience a token's `aud` must hold (the API's identifier at the issuer).
    #[arg(long, value_name = "AUD", requires = "jwt_issuer")]
    jwt_audience: Option<String>,
    /// The issuer's keys from a JWKS file rather than its discovery document.
    #[arg(
        long,
        value_name = "FILE",
        requires = "jwt_issuer",
        conflicts_with = "jwks_url"
    )]
    jwks: Option<PathBuf>,
    /// The issuer's keys from this JWKS URL (fetched and cached for its max-age).
    #[arg(long, value_name = "URL", requires = "jwt_issuer")]
    jwks_url: Option<String>,
    /// The claim naming the vault policy's roles: roles, groups, scp…
    #[arg(
        long,
        value_name = "CLAIM",
        default_value = "roles",
        requires = "jwt_issuer"
    )]
    jwt_roles_claim: String,
    /// Seconds of clock skew allowed on exp and nbf.
    #[arg(long, value_name = "S", default_value_t = 60, requires = "jwt_issuer")]
    jwt_leeway: u64,
    /// Refuse static API keys: every caller comes with a token from the issuer.
    #[arg(long, requires = "jwt_issuer")]
    no_api_keys: bool,
    /// Watch the audit log as `velum audit watch --follow` does (its defaults), appending
    /// alert lines (JSON, OCSF Detection Findings) to this file.
    #[arg(long, value_name = "FILE")]
    alerts: Option<PathBuf>,
    /// With --alerts: reveals by one principal in one window that always alert (0: none).
    #[arg(long, value_name = "N", default_value_t = 0, requires = "alerts")]
    alert_max_reveals: u64,
    /// With --alerts: the window in seconds.
    #[arg(long, value_name = "S", default_value_t = 60, requires = "alerts")]
    alert_window: u64,
}

/// A duration from a number of seconds given as option `what`.
#[cfg(feature = "server")]
fn seconds(s: f64, what: &str) -> Result<std::time::Duration, Error> {
    if s.is_finite() && (0.0..=86_400.0).contains(&s) {
        Ok(std::time::Duration::from_secs_f64(s))
    } else {
        Err(velum_config(&format!(
            "{what}: give a number of seconds from 0 to 86400"
        )))
    }
}

#[cfg(feature = "server")]
fn serve(a: ServeArgs) -> Result<u8, Error> {
    use velum::service::{Limits, ServerConfig, TlsFiles, VaultServer};
    let keyring = a.keyring.load()?;
    let audit_path = a.audit_log.as_ref().ok_or_else(|| {
        velum_config("no audit log: give --audit-log FILE or set VELUM_AUDIT_LOG")
    })?;
    let audit = AuditLog::open(audit_path, &keyring)?;
    let watcher = a.alerts.as_ref().map(|_| {
        let mut c = vault::WatchConfig::default();
        c.max_reveals = a.alert_max_reveals;
        c.window_secs = a.alert_window.max(1);
        vault::AuditWatcher::new(&keyring, c)
    });
    let vault = Vault::new(keyring, VaultPolicy::load(&a.vault_policy)?);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watching = match (watcher, &a.alerts) {
        (Some(mut w), Some(out)) => {
            let mut sink = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(out)
                .map_err(|e| Error::io(format!("alerts file {}", out.display()), e))?;
            let (log, stop) = (audit_path.clone(), std::sync::Arc::clone(&stop));
            Some(std::thread::spawn(move || {
                let r = vault::follow_log(
                    &log,
                    &mut w,
                    true,
                    std::time::Duration::from_millis(500),
                    &stop,
                    &mut |alert| alert.write_line(&mut sink),
                );
                if let Err(e) = r {
                    eprintln!("velum: alerts: {e}");
                }
            }))
        }
        _ => None,
    };
    let config = ServerConfig {
        listen: a.listen,
        tls: a
            .tls_cert
            .zip(a.tls_key)
            .map(|(cert, key)| TlsFiles { cert, key }),
        insecure: a.insecure,
        limits: Limits::default()
            .with_rate(a.rate, a.burst)
            .with_sizes(a.max_body, a.max_batch)
            .with_connections(
                a.max_connections,
                seconds(a.request_timeout, "--request-timeout")?,
                seconds(a.idle_timeout, "--idle-timeout")?,
                seconds(a.shutdown_grace, "--shutdown-grace")?,
            )
            .with_per_client(
                a.max_connections_per_client,
                a.max_handshakes_per_client,
                seconds(a.handshake_timeout, "--handshake-timeout")?,
            )
            .with_audit_budget(a.audit_bytes_per_second),
        log_requests: !a.quiet,
    };
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let policy = a.policy.load()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the async runtime", e))?;
    let jwt = a.jwt_issuer.as_ref().map(|issuer| {
        use velum::service::{JwksSource, JwtConfig};
        let source = JwksSource::from_options(a.jwks.clone(), a.jwks_url.clone());
        let mut c = JwtConfig::new(issuer, a.jwt_audience.as_deref().unwrap_or(""), source);
        c.roles_claim = a.jwt_roles_claim.clone();
        c.leeway = std::time::Duration::from_secs(a.jwt_leeway);
        c
    });
    let api_keys = !a.no_api_keys;
    let served = rt.block_on(async {
        let mut server = VaultServer::bind(config, vault, audit, &policy).await?;
        if let Some(c) = jwt {
            server = server.with_jwt(c, api_keys)?;
        }
        eprintln!(
            "velum: vault listening on {scheme}://{}",
            server.local_addr()
        );
        server.run(shutdown_signal()).await
    })?;
    if let Some(t) = watching {
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = t.join();
    }
    eprintln!(
        "velum: vault stopped after {served} requests; audit log {} is complete",
        audit_path.display()
    );
    Ok(exit::OK)
}

/// Completes on SIGTERM or SIGINT.
#[cfg(feature = "server")]
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
    eprintln!("velum: vault shutting down: finishing requests in flight");
}

pub(crate) fn vault_cmd(c: VaultCommand) -> Result<u8, Error> {
    #[cfg(feature = "server")]
    if let VaultCommand::Serve(a) = c {
        return serve(*a);
    }
    #[cfg_attr(not(feature = "server"), allow(irrefutable_let_patterns))]
    let VaultCommand::HashKey = c else {
        unreachable!("handled above")
    };
    let mut key = zeroize::Zeroizing::new(Vec::new());
    io::stdin()
        .read_to_end(&mut key)
        .map_err(|e| Error::io("reading stdin", e))?;
    while key.last().is_some_and(|b| matches!(b, b'\n' | b'\r')) {
        key.pop();
    }
    if key.is_empty() {
        return Err(velum_config("empty API key on stdin"));
    }
    println!("key_sha256 = \"{}\"", vault::hash_api_key(&key));
    Ok(exit::OK)
}
