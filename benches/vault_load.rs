//! Load benchmark of the vault service: requests per second and latency percentiles of
//! `POST /v1/detokenize`, from concurrent keep-alive clients on loopback, with the audit log
//! fsynced as in production (group commit).
//!
//! ```text
//! cargo bench --bench vault_load -- [--clients N] [--requests N] [--tokens N]
//! ```
//! (`benches/vault.sh` runs it with the figures quoted in the README.)

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use velum::service::{Limits, ServerConfig, VaultServer};
use velum::vault::{AuditLog, Vault, VaultPolicy, hash_api_key, verify_audit};
use velum::{Entity, Keyring, Policy};

struct Args {
    clients: usize,
    requests: usize,
    tokens: usize,
}

fn args() -> Args {
    let mut a = Args {
        clients: 16,
        requests: 20_000,
        tokens: 1,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut num = || -> usize {
            it.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{flag} needs a number"))
        };
        match flag.as_str() {
            "--clients" => a.clients = num(),
            "--requests" => a.requests = num(),
            "--tokens" => a.tokens = num(),
            // cargo bench passes --bench; anything else is a filter we do not use.
            _ => {}
        }
    }
    a
}

/// One keep-alive request; returns the status.
fn request(w: &mut TcpStream, r: &mut BufReader<TcpStream>, body: &[u8]) -> std::io::Result<u16> {
    write!(
        w,
        "POST /v1/detokenize HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer bench-key\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )?;
    w.write_all(body)?;
    let mut line = String::new();
    r.read_line(&mut line)?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut len = 0usize;
    loop {
        line.clear();
        r.read_line(&mut line)?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            len = v.trim().parse().unwrap_or(0);
        }
    }
    let mut sink = vec![0; len];
    r.read_exact(&mut sink)?;
    Ok(status)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let a = args();
    let dir = tempfile::tempdir().expect("temp dir");
    let keys = dir.path().join("keys.json");
    Keyring::generate().unwrap().save(&keys).unwrap();
    let keyring = Keyring::load(&keys).unwrap();
    let values: Vec<String> = (0..a.tokens)
        .map(|i| keyring.tokenize_value(Entity::EMAIL, format!("user{i}@example.com").as_bytes()))
        .collect();
    let body = serde_json::json!({"tokens": values, "purpose": "benchmark"})
        .to_string()
        .into_bytes();
    let policy = VaultPolicy::from_toml_str(
        &format!(
            "[roles.r]\nreveal = {{ EMAIL = \"full\" }}\n[[principals]]\nname = \"bench\"\nkey_sha256 = \"{}\"\nroles = [\"r\"]\n",
            hash_api_key(b"bench-key")
        ),
        "bench",
    )
    .unwrap();
    let audit_path = dir.path().join("audit.jsonl");
    let audit = AuditLog::open(&audit_path, &keyring).unwrap();
    let vault = Vault::new(keyring, policy);
    let config = ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        tls: None,
        insecure: true,
        limits: Limits::default().with_rate(1e9, u32::MAX),
        log_requests: false,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = rt
        .block_on(VaultServer::bind(config, vault, audit, &Policy::default()))
        .unwrap();
    let addr: SocketAddr = server.local_addr();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let handle = rt.spawn(server.run(async {
        let _ = stop_rx.await;
    }));

    let per_client = a.requests / a.clients;
    let started = Instant::now();
    let clients: Vec<_> = (0..a.clients)
        .map(|_| {
            let body = body.clone();
            std::thread::spawn(move || {
                let mut w = TcpStream::connect(addr).unwrap();
                w.set_nodelay(true).unwrap();
                let mut r = BufReader::new(w.try_clone().unwrap());
                let mut lat = Vec::with_capacity(per_client);
                let mut errors = 0;
                for _ in 0..per_client {
                    let t = Instant::now();
                    match request(&mut w, &mut r, &body) {
                        Ok(200) => lat.push(t.elapsed()),
                        _ => errors += 1,
                    }
                }
                (lat, errors)
            })
        })
        .collect();
    let mut lat = Vec::new();
    let mut errors = 0;
    for c in clients {
        let (l, e) = c.join().unwrap();
        lat.extend(l);
        errors += e;
    }
    let took = started.elapsed();
    let _ = stop_tx.send(());
    rt.block_on(handle).unwrap().unwrap();
    lat.sort();
    let n = lat.len();
    println!(
        "vault detokenize: {} clients, {n} requests of {} token(s), {errors} errors, {:.2} s",
        a.clients,
        a.tokens,
        took.as_secs_f64()
    );
    println!(
        "  {:.0} requests/s; latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        n as f64 / took.as_secs_f64(),
        percentile(&lat, 0.50).as_secs_f64() * 1e3,
        percentile(&lat, 0.90).as_secs_f64() * 1e3,
        percentile(&lat, 0.99).as_secs_f64() * 1e3,
        lat[n - 1].as_secs_f64() * 1e3
    );
    let verdict = verify_audit(&audit_path, &Keyring::load(&keys).unwrap()).unwrap();
    println!("  audit log: {verdict:?}");
    assert_eq!(errors, 0, "every request must succeed");
}
