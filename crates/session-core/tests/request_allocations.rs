//! Heap allocations per request on the core's request path: what every adapter pays for a request
//! that does not touch the session, one that reads a key, and one that writes, with the `/read` session of
//! `cargo xtask bench --http` (`{"counter":0,"username":"alice"}`, Flask format, default settings).
//!
//! The bounds are today's counts: a change that adds an allocation to these paths fails here and has to say
//! why (raise the bound in the same commit).

use session_core::{SecretKey, SessionConfig, SessionHandle};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const NOW: u64 = 1_700_000_000;

/// Allocations made by `f`, the second time it runs (the first warms thread-locals and lazy statics).
fn allocations(mut f: impl FnMut()) -> u64 {
    f();
    let before = dhat::HeapStats::get().total_blocks;
    f();
    dhat::HeapStats::get().total_blocks - before
}

#[test]
fn request_paths_allocate_within_their_bounds() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let config = SessionConfig::builder()
        .secret_key(SecretKey::parse("a bench key of at least sixteen bytes").unwrap())
        .build()
        .unwrap();
    let login = SessionHandle::new(config.clone(), vec![], NOW);
    login.insert("username", "alice").unwrap();
    login.insert("counter", &0).unwrap();
    let set_cookie = login.finish().unwrap().set_cookies().first().cloned().unwrap();
    let pair = set_cookie.split(';').next().unwrap().to_owned();
    let header = format!("theme=dark; {pair}; lang=en");
    let headers = [header.as_bytes()];

    let no_cookie = allocations(|| {
        let h = SessionHandle::from_headers(config.clone(), [b"theme=dark".as_slice()], NOW);
        assert!(h.finish().unwrap().is_empty());
    });
    let untouched = allocations(|| {
        let h = SessionHandle::from_headers(config.clone(), headers, NOW);
        assert!(h.finish().unwrap().is_empty());
    });
    let read = allocations(|| {
        let h = SessionHandle::from_headers(config.clone(), headers, NOW);
        assert_eq!(h.get::<String>("username").unwrap().as_deref(), Some("alice"));
        assert!(h.finish().unwrap().is_empty());
    });
    let write = allocations(|| {
        let h = SessionHandle::from_headers(config.clone(), headers, NOW);
        let n: i64 = h.get("counter").unwrap().unwrap();
        h.insert("counter", &(n + 1)).unwrap();
        assert!(!h.finish().unwrap().set_cookies().is_empty());
    });
    println!("allocations per request: no cookie {no_cookie}, untouched {untouched}, read {read}, write {write}");
    for (path, got, bound) in [
        ("no cookie", no_cookie, 1),
        ("untouched", untouched, 2),
        ("read", read, 5),
        ("write", write, 12),
    ] {
        assert!(got <= bound, "{path}: {got} allocations per request, bound {bound}");
    }
}
