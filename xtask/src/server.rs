//! The one way xtask runs a server (interop, encrypted interop, soak, browser, bench --http): spawn it with its
//! output in a log file, wait until its port accepts connections, and stop it when the guard drops, so that a
//! failing step never leaves a server behind.

use std::io::{Read as _, Seek as _, SeekFrom};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};

/// How a server is stopped when its guard drops (the child is reaped in every case).
#[derive(Clone, Copy)]
pub(crate) enum Stop {
    /// SIGKILL at once.
    Kill,
    /// SIGTERM, then SIGKILL after the grace period (gunicorn's master takes its workers down on SIGTERM).
    Term(Duration),
    /// Started in its own process group; SIGTERM to the whole group, SIGKILL to it 300 ms later
    /// (chromedriver's browsers included).
    Group,
}

/// A running server, stopped as its [`Stop`] says when dropped.
pub(crate) struct Server {
    pub(crate) name: &'static str,
    pub(crate) port: u16,
    log: PathBuf,
    child: Child,
    stop: Stop,
}

/// A free loopback port (free when asked; the server binds it just after).
pub(crate) fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Whether something already accepts connections on `127.0.0.1:port`.
pub(crate) fn listening(port: u16) -> bool {
    TcpStream::connect_timeout(
        &SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        Duration::from_millis(200),
    )
    .is_ok()
}

impl Server {
    /// Spawns `cmd` (stdin from /dev/null, stdout and stderr into `log`, whose folder is created) without
    /// waiting for its port; `port` is the one it is told to listen on.
    pub(crate) fn spawn(name: &'static str, port: u16, mut cmd: Command, log: PathBuf, stop: Stop) -> Result<Self> {
        if let Some(dir) = log.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let file = std::fs::File::create(&log).with_context(|| format!("cannot create {}", log.display()))?;
        cmd.stdin(Stdio::null()).stdout(file.try_clone()?).stderr(file);
        if let Stop::Group = stop {
            cmd.process_group(0);
        }
        let child = cmd.spawn().with_context(|| format!("cannot start {name} ({cmd:?})"))?;
        Ok(Self {
            name,
            port,
            log,
            child,
            stop,
        })
    }

    /// [`Server::spawn`], then [`Server::wait_for`] its own port.
    pub(crate) fn start(
        name: &'static str,
        port: u16,
        cmd: Command,
        log: PathBuf,
        stop: Stop,
        within: Duration,
    ) -> Result<Self> {
        let mut server = Self::spawn(name, port, cmd, log, stop)?;
        server.wait_for(port, within)?;
        Ok(server)
    }

    /// Waits until `127.0.0.1:port` accepts connections.
    ///
    /// # Errors
    /// When the server exits first or does not listen `within`; the error names it and quotes its log's tail.
    pub(crate) fn wait_for(&mut self, port: u16, within: Duration) -> Result<()> {
        let deadline = Instant::now() + within;
        loop {
            if listening(port) {
                return Ok(());
            }
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "{} exited ({status}) before listening on port {port}; {}",
                    self.name,
                    self.log_tail()
                );
            }
            if Instant::now() > deadline {
                bail!(
                    "{} did not listen on port {port} within {within:?}; {}",
                    self.name,
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The log file (the server's stdout and stderr).
    pub(crate) fn log(&self) -> &Path {
        &self.log
    }

    /// The process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process is still running.
    pub(crate) fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// "log: PATH" and the last lines of the log.
    fn log_tail(&self) -> String {
        const TAIL: u64 = 2000;
        let mut text = String::new();
        if let Ok(mut f) = std::fs::File::open(&self.log) {
            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
            let _ = f.seek(SeekFrom::Start(len.saturating_sub(TAIL)));
            let mut bytes = Vec::new();
            let _ = f.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(20)..].join("\n");
        if tail.trim().is_empty() {
            format!("log: {} (empty)", self.log.display())
        } else {
            format!("log: {}, ending:\n{tail}", self.log.display())
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        match self.stop {
            Stop::Kill => {
                let _ = self.child.kill();
            }
            Stop::Term(grace) => {
                if let Ok(None) = self.child.try_wait() {
                    let _ = Command::new("kill")
                        .args(["-TERM", &self.child.id().to_string()])
                        .stderr(Stdio::null())
                        .status();
                    let deadline = Instant::now() + grace;
                    while Instant::now() < deadline {
                        if let Ok(Some(_)) = self.child.try_wait() {
                            return;
                        }
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    let _ = self.child.kill();
                }
            }
            Stop::Group => {
                let group = format!("-{}", self.child.id());
                let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
                std::thread::sleep(Duration::from_millis(300));
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &group])
                    .stderr(Stdio::null())
                    .status();
            }
        }
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn early_exit_names_the_server_and_quotes_its_log() {
        let dir = std::env::temp_dir().join(format!("xtask-server-test-{}", std::process::id()));
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo listen failed: boom >&2; exit 3"]);
        let port = free_port().unwrap();
        let err = Server::start(
            "doomed",
            port,
            cmd,
            dir.join("doomed.log"),
            Stop::Kill,
            Duration::from_secs(20),
        )
        .err()
        .expect("a server that exits must not count as listening");
        let text = format!("{err:#}");
        assert!(text.contains("doomed exited"), "{text}");
        assert!(text.contains("listen failed: boom"), "{text}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn waits_until_the_port_listens_and_stops_the_server_on_drop() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let dir = std::env::temp_dir().join(format!("xtask-server-test2-{}", std::process::id()));
        let mut cmd = Command::new("python3");
        cmd.args(["-m", "http.server", "--bind", "127.0.0.1", &port.to_string()]);
        let mut server = Server::start(
            "http.server",
            port,
            cmd,
            dir.join("s.log"),
            Stop::Kill,
            Duration::from_secs(30),
        )
        .unwrap();
        assert!(server.alive());
        let pid = server.pid();
        drop(server);
        assert!(!Path::new(&format!("/proc/{pid}")).exists(), "the child was not reaped");
        assert!(!listening(port));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
