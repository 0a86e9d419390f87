//! What the CLI's integration tests share: running the `session-cookie` binary.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

/// The binary under test.
#[allow(
    dead_code,
    reason = "each test file compiles this module; not all of them name the binary"
)]
pub const BIN: &str = env!("CARGO_BIN_EXE_session-cookie");

/// The binary with a clean key environment, `args`, extra `env` and `stdin`.
pub fn run(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_remove("SESSION_SECRET_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn session-cookie");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        // A command that fails before reading stdin closes it; its exit code is what we check.
        .or_else(|e| {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                Ok(())
            } else {
                Err(e)
            }
        })
        .expect("write stdin");
    child.wait_with_output().expect("wait for session-cookie")
}
