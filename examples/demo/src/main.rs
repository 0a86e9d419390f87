//! The cross-framework demo: the seed app and the demo pages on axum (:3000), actix-web (:3001) and hyper
//! (:3002), one key. Browsers share cookies across ports of one host, so logging in on any logs you in on all.
//!
//! Open <http://127.0.0.1:3000/demo>: every page says which framework served it, links to the same page on
//! the other two, shows the decoded session cookie (content, when it was signed, which key verified it) and
//! the flashed messages; its login and logout forms carry Flask-WTF CSRF tokens.
//!
//! `SECRET_KEY` (text, `hex:` or `base64:`) sets the key; without it a random one is used (with a warning).
//! `DEMO_PORT` (default 3000) moves the three ports to `DEMO_PORT`, `+1`, `+2`. Give the same key to
//! `interop/flask_app.py` and Flask joins in (its `/demo` page is the same). `SESSION_FORMAT=starlette` or
//! `django` shares FastAPI/Starlette's or Django's cookie instead (`interop/starlette_app.py`,
//! `interop/django_app.py`); `SESSION_COOKIE_NAME` overrides the cookie name. Ctrl-C stops all three.

use anyhow::Context as _;
use login_common::demo::{Peer, Site};
use tokio::sync::watch;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let key = login_common::secret_key_from_env("demo")?;
    let base = match std::env::var("DEMO_PORT") {
        Ok(p) if !p.is_empty() => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p <= u16::MAX - 2)
            .with_context(|| format!("DEMO_PORT={p:?} is not a port number below 65534"))?,
        _ => 3000,
    };
    let servers = [("axum", base), ("actix-web", base + 1), ("hyper", base + 2)];
    let site = |framework: &'static str| -> anyhow::Result<Site> {
        let peers = servers
            .iter()
            .filter(|(name, _)| *name != framework)
            .map(|(name, port)| Peer {
                name: (*name).to_owned(),
                url: format!("http://127.0.0.1:{port}"),
            })
            .collect();
        Ok(Site::new(framework, &key)?.with_peers(peers))
    };
    let bind = |port: u16| format!("127.0.0.1:{port}");

    let axum_listener = tokio::net::TcpListener::bind(bind(base))
        .await
        .with_context(|| format!("cannot listen on 127.0.0.1:{base}"))?;
    let actix_listener = std::net::TcpListener::bind(bind(base + 1))
        .with_context(|| format!("cannot listen on 127.0.0.1:{}", base + 1))?;
    let hyper_listener = tokio::net::TcpListener::bind(bind(base + 2))
        .await
        .with_context(|| format!("cannot listen on 127.0.0.1:{}", base + 2))?;

    let (stop_tx, stop_rx) = watch::channel(false);
    let stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let axum = tokio::spawn(login_axum::serve_site(
        axum_listener,
        site("axum")?,
        stopped(stop_rx.clone()),
    ));
    let hyper = tokio::spawn(login_hyper::serve_site(
        hyper_listener,
        site("hyper")?,
        stopped(stop_rx.clone()),
    ));
    let actix = login_actix::serve_site(actix_listener, site("actix-web")?).await?;
    let actix_handle = actix.handle();
    let actix_task = tokio::spawn(actix);

    for (name, port) in servers {
        println!("{name:<10} http://127.0.0.1:{port}/demo");
    }
    println!("Log in on any of them and you are logged in on all three (one key, one cookie). Ctrl-C stops.");

    tokio::signal::ctrl_c().await.context("cannot listen for Ctrl-C")?;
    println!("stopping...");
    let _ = stop_tx.send(true);
    actix_handle.stop(true).await;
    axum.await??;
    hyper.await??;
    actix_task.await??;
    Ok(())
}
