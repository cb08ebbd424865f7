//! Keyring bytes, in clear or sealed (a passphrase envelope, age recipients, an HSM token):
//! any input gives a keyring or an error, never a panic, and an error never quotes the
//! input (which might hold key material).
#![no_main]

use libfuzzer_sys::fuzz_target;
use velum::Keyring;

fuzz_target!(|data: &[u8]| {
    // Every form through the envelope reader, with a passphrase at hand.
    let unlock = velum::vault::Unlock::default()
        .with_passphrase(zeroize::Zeroizing::new("fuzz passphrase".into()));
    if let Err(e) = Keyring::from_bytes(data, "fuzz.json", &unlock) {
        let msg = e.to_string();
        assert!(msg.starts_with("keyring fuzz.json"), "{msg}");
        for w in data.windows(24) {
            if let Ok(s) = std::str::from_utf8(w) {
                assert!(!msg.contains(s), "{msg}");
            }
        }
    }
    match Keyring::from_json(data, "fuzz.json") {
        Ok(k) => assert!(
            k.key_states()
                .iter()
                .filter(|(_, s)| *s == velum::vault::KeyState::Active)
                .count()
                == 1
        ),
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.starts_with("keyring fuzz.json: "), "{msg}");
            // Long runs of the input never appear in the message.
            for w in data.windows(24) {
                if let Ok(s) = std::str::from_utf8(w) {
                    assert!(!msg.contains(s), "{msg}");
                }
            }
        }
    }
});
