//! Every vector against the core (codec checks + the same request replay the adapters run).

#[test]
fn core_passes_every_vector() {
    session_conformance::assert_conformance(&session_conformance::CoreTarget);
}
