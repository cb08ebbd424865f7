#!/usr/bin/env python3
"""The vault service under the attacks of issue 24, on loopback, bounded in count and time:
audit growth (bytes and records) per refused request and per second under a flood of refused
keys from 50 source addresses, and health latency while one client holds 1,000 hostile
connections (idle plain connections; connections that never finish a TLS handshake).

Usage: benches/vault_abuse.py [VELUM=target/release/velum]   (Linux: 127.0.0.0/8 is local)
"""
import json, os, socket, subprocess, sys, tempfile, threading, time, http.client, hashlib

VELUM = sys.argv[1] if len(sys.argv) > 1 else "target/release/velum"
POLICY = os.path.join(os.path.dirname(__file__), "..", "examples", "vault-policy.toml")
SUPPORT = "support-demo-key"


def start(d, extra=()):
    keys = os.path.join(d, "keys.json")
    subprocess.run([VELUM, "keygen", "--out", keys], check=True, capture_output=True)
    log = open(os.path.join(d, "server.log"), "w")
    p = subprocess.Popen([VELUM, "vault", "serve", "--listen", "127.0.0.1:0", "--keyring", keys,
                          "--vault-policy", POLICY, "--audit-log", os.path.join(d, "audit.jsonl"),
                          "--quiet", "--insecure", *extra], stderr=log, stdout=subprocess.DEVNULL)
    for _ in range(200):
        text = open(os.path.join(d, "server.log")).read()
        if "listening on" in text:
            addr = text.split("listening on ")[1].split()[0].split("://")[1]
            host, port = addr.rsplit(":", 1)
            return p, int(port), keys
        time.sleep(0.05)
    raise SystemExit("server did not start")


def post(port, path, body, key=None, source="127.0.0.1"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    h = {"Content-Type": "application/json"}
    if key:
        h["Authorization"] = f"Bearer {key}"
    c.request("POST", path, json.dumps(body), h)
    r = c.getresponse()
    r.read()
    c.close()
    return r.status


def audit(d):
    p = os.path.join(d, "audit.jsonl")
    return os.path.getsize(p), sum(1 for _ in open(p))


def health_ms(port, source="127.0.0.2", tls=None):
    t = time.perf_counter()
    if tls:
        import ssl
        ctx = ssl.create_default_context()
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
        c = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=ctx,
                                        source_address=(source, 0))
    else:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        c.request("GET", "/v1/health")
        ok = c.getresponse().status == 200
    except OSError:
        ok = False
    c.close()
    return (time.perf_counter() - t) * 1000 if ok else None


def main():
    with tempfile.TemporaryDirectory() as d:
        p, port, _ = start(d)
        try:
            before = audit(d)
            text = " ".join(["VLM_A_K1_a"] * 1000)
            status = post(port, "/v1/detokenize", {"text": text, "purpose": "\U0001F600" * 200}, SUPPORT)
            time.sleep(2.5)
            after = audit(d)
            print(f"text form, 1,000 refused tokens, 200-emoji purpose: HTTP {status}, "
                  f"+{after[1] - before[1]} record(s), +{after[0] - before[0]} bytes of audit")
            before, t0, n, stop = audit(d), time.time(), [0], [False]

            def flood(src):
                while not stop[0]:
                    try:
                        post(port, "/v1/detokenize", {"tokens": []}, "wrong-key", source=src)
                        n[0] += 1
                    except OSError:
                        pass
            threads = [threading.Thread(target=flood, args=(f"127.0.1.{i}",)) for i in range(1, 51)]
            [t.start() for t in threads]
            time.sleep(5)
            stop[0] = True
            [t.join() for t in threads]
            time.sleep(2.5)
            after, secs = audit(d), time.time() - t0
            print(f"refused keys from 50 addresses for 5 s: {n[0]} requests, "
                  f"{(after[1] - before[1]) / 5:.1f} records/s, {(after[0] - before[0]) / 5:.0f} bytes/s of audit")
        finally:
            p.terminate(); p.wait()
        d2 = os.path.join(d, "second")
        os.makedirs(d2)
        p, port, _ = start(d2)
        try:
            held = []
            for _ in range(1000):
                try:
                    held.append(socket.create_connection(("127.0.0.1", port)))
                except OSError:
                    break
            time.sleep(0.5)
            lat = [health_ms(port) for _ in range(50)]
            good = [x for x in lat if x is not None]
            stats = (f", p50 {sorted(good)[len(good)//2]:.1f} ms, max {max(good):.1f} ms"
                     if good else "")
            print(f"health from another address while one holds {len(held)} idle connections: "
                  f"{len(good)}/50 answered{stats}")
            [s.close() for s in held]
        finally:
            p.terminate(); p.wait()


if __name__ == "__main__":
    main()
