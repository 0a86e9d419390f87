//! An arbitrary string as `Cookie` header values (one per line) through Flask's `open_session`
//! (`SessionConfig::load`); whatever loads is saved again (`save`). Must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_core::{SecretKey, SessionConfig};

const KEY: &str = "secret-key-1";
const NOW: u64 = 1_700_000_000;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let config = SessionConfig::builder()
        .secret_key(SecretKey::parse_insecure_short(KEY).expect("fixed key parses"))
        .build()
        .expect("default config builds");
    let loaded = config.load(text.split('\n'), NOW);
    // A loaded session must also survive being written back (CookieTooLarge is a clean error).
    let _ = config.save(&loaded.session, true, NOW);
});
