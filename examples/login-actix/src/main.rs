//! `login-actix`: the seed login app on 127.0.0.1:$PORT (default 3001), signed with `$SECRET_KEY`.
//! `SESSION_FORMAT` (`flask` by default, `starlette`, `django`) and `SESSION_COOKIE_NAME` choose whose cookie it shares.
//! `SESSION_ENCRYPTION_KEY` is gorilla/sessions' block key (unset: signed-only gorilla cookies).

use std::net::TcpListener;

use anyhow::Context as _;
use tracing_subscriber::EnvFilter;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let key = login_common::secret_key_from_env("login-actix")?;
    let port = login_common::port_from_env(3001)?;
    let site = login_common::demo::Site::new("actix-web", &key)?;
    let listener =
        TcpListener::bind(("127.0.0.1", port)).with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
    println!(
        "login-actix: serving on http://{} (Ctrl-C to stop)",
        listener.local_addr()?
    );

    let server = login_actix::serve_site(listener, site).await?;
    let handle = server.handle();
    let mut running = actix_web::rt::spawn(server);
    tokio::select! {
        finished = &mut running => return Ok(finished.context("the server task failed")??),
        signal = tokio::signal::ctrl_c() => signal.context("cannot listen for Ctrl-C")?,
    }
    println!("login-actix: stopping");
    handle.stop(true).await;
    running.await.context("the server task failed")??;
    Ok(())
}
