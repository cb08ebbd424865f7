#![allow(unreachable_pub, dead_code)]

//! Seeded generator of realistic log corpora for benchmarks: JSON-lines app logs, nginx access
//! logs and key=value logs, full of timestamps, UUIDs, request ids, sizes and other digit-heavy
//! non-PII, with a chosen share of lines carrying personal data. Deterministic for a seed, so a
//! bench can assert its expected finding count. Shared by benches/ and the `gen_corpus`
//! example (`cargo run --release --example gen_corpus -- clean 100 > clean.log`).

/// A small deterministic PRNG (SplitMix64): no dependency, same stream on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// Personal data values (synthetic, checksum-valid) that the default policy reports, one each.
pub const PII: &[&str] = &[
    "jane.doe@example.com",
    "4111 1111 1111 1111",
    "536-90-4399",
    "GB82 WEST 1234 5698 7654 32",
    "+44 20 7946 0958",
    "203.0.113.77",
    "(212) 555-0143",
    "o'neil+billing@mail.example.co.uk",
    "5555-5555-5555-4444",
    "DE89 3704 0044 0532 0130 00",
];

const PATHS: &[&str] = &[
    "/api/v2/orders",
    "/static/app.js",
    "/health",
    "/api/v1/users/search",
    "/img/logo@2x.png",
];
const AGENTS: &[&str] = &[
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
    "curl/8.5.0",
    "Go-http-client/2.0",
];
const SERVICES: &[&str] = &[
    "checkout",
    "payments",
    "auth",
    "search",
    "inventory",
    "gateway",
];

fn uuid(r: &mut Rng) -> String {
    let (a, b) = (r.next_u64(), r.next_u64());
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        a >> 32,
        a & 0xffff,
        (b >> 52) & 0xfff,
        (b >> 40) & 0xfff,
        b & 0xffff_ffff_ffff
    )
}

fn ts(r: &mut Rng) -> String {
    format!(
        "2026-11-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        1 + r.below(28),
        r.below(24),
        r.below(60),
        r.below(60),
        r.below(1000)
    )
}

/// One line; when `pii` is given it is embedded (and is the line's only finding).
pub fn line(r: &mut Rng, pii: Option<&str>) -> String {
    let kind = r.below(3);
    line_of(r, pii, kind)
}

/// A line of one kind: 0 JSON, 1 nginx access log, 2 key=value.
pub fn line_of(r: &mut Rng, pii: Option<&str>, kind: u64) -> String {
    let svc = r.pick(SERVICES);
    match kind {
        0 => {
            let extra = pii
                .map(|p| format!(",\"contact\":\"{p}\""))
                .unwrap_or_default();
            format!(
                "{{\"ts\":\"{}\",\"level\":\"info\",\"service\":\"{svc}\",\"trace_id\":\"{}\",\"duration_ms\":{},\"bytes\":{},\"order_id\":{}{extra},\"msg\":\"request completed\"}}",
                ts(r),
                uuid(r),
                r.below(5000),
                r.below(10_000_000),
                r.below(1_000_000_000)
            )
        }
        1 => {
            let user = pii.map(|p| format!(" user={p}")).unwrap_or_default();
            format!(
                "127.0.{}.{} - - [25/Nov/2026:09:{:02}:{:02} +0000] \"GET {}?page={} HTTP/1.1\" {} {} \"-\" \"{}\" rt={}.{:03}{user}",
                r.below(256),
                1 + r.below(254),
                r.below(60),
                r.below(60),
                r.pick(PATHS),
                r.below(100),
                [200, 201, 304, 404, 500][r.below(5) as usize],
                r.below(100_000),
                r.pick(AGENTS),
                r.below(3),
                r.below(1000)
            )
        }
        _ => {
            let who = pii.map(|p| format!(" customer={p}")).unwrap_or_default();
            format!(
                "{} level=info svc={svc} req_id={} span_id={:016x} pid={} latency_ms={} build=10.0.{}.{} epoch_ms={}{who} msg=\"cache refreshed\"",
                ts(r),
                uuid(r),
                r.next_u64(),
                r.below(65536),
                r.below(2000),
                r.below(20000),
                r.below(10),
                1_700_000_000_000 + r.below(100_000_000_000)
            )
        }
    }
}

/// About `bytes` of log text where `pii_percent` of lines carry one PII value; returns the
/// text and the number of findings the default policy reports in it.
pub fn logs(seed: u64, bytes: usize, pii_percent: u64) -> (String, usize) {
    logs_of(seed, bytes, pii_percent, None)
}

/// As [`logs`], JSON lines only (scanned field by field).
#[allow(dead_code)]
pub fn json_logs(seed: u64, bytes: usize, pii_percent: u64) -> (String, usize) {
    logs_of(seed, bytes, pii_percent, Some(0))
}

fn logs_of(seed: u64, bytes: usize, pii_percent: u64, kind: Option<u64>) -> (String, usize) {
    let mut r = Rng::new(seed);
    let mut out = String::with_capacity(bytes + 512);
    let mut findings = 0;
    while out.len() < bytes {
        let pii = (r.below(100) < pii_percent).then(|| r.pick(PII));
        findings += usize::from(pii.is_some());
        let l = match kind {
            Some(k) => line_of(&mut r, pii, k),
            None => line(&mut r, pii),
        };
        out.push_str(&l);
        out.push('\n');
    }
    (out, findings)
}
