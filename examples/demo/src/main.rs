//! The cross-framework demo: the seed app on axum (:3000), actix-web (:3001) and hyper (:3002), one key.
//! Browsers share cookies across ports of one host, so logging in on any logs you in on all.
//!
//! `SECRET_KEY` (text, `hex:` or `base64:`) sets the key; without it a random one is used (with a warning).
//! Give the same key to `interop/flask_app.py` and Flask joins in. Ctrl-C stops all three.

use anyhow::Context as _;
use tokio::sync::watch;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let key = login_common::secret_key_from_env("demo")?;
    let config = login_common::session_config(key)?;
    let bind = |port: u16| format!("127.0.0.1:{port}");

    let axum_listener = tokio::net::TcpListener::bind(bind(3000))
        .await
        .context("cannot listen on 127.0.0.1:3000")?;
    let hyper_listener = tokio::net::TcpListener::bind(bind(3002))
        .await
        .context("cannot listen on 127.0.0.1:3002")?;
    let actix_listener = std::net::TcpListener::bind(bind(3001)).context("cannot listen on 127.0.0.1:3001")?;

    let (stop_tx, stop_rx) = watch::channel(false);
    let stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let axum = tokio::spawn(login_axum::serve(
        axum_listener,
        config.clone(),
        stopped(stop_rx.clone()),
    ));
    let hyper = tokio::spawn(login_hyper::serve(
        hyper_listener,
        config.clone(),
        stopped(stop_rx.clone()),
    ));
    let actix = login_actix::serve(actix_listener, config).await?;
    let actix_handle = actix.handle();
    let actix_task = tokio::spawn(actix);

    println!("axum:      http://127.0.0.1:3000/login");
    println!("actix-web: http://127.0.0.1:3001/login");
    println!("hyper:     http://127.0.0.1:3002/login");
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
