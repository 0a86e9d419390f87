//! `login-axum`: `SECRET_KEY=... PORT=3000 cargo run -p login-axum`, then open http://127.0.0.1:3000/login.
//! `SESSION_FORMAT` (`flask` by default, `starlette`, `django`) and `SESSION_COOKIE_NAME` choose whose cookie it shares.
//! `SESSION_ENCRYPTION_KEY` is gorilla/sessions' block key (unset: signed-only gorilla cookies).

use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let key = login_common::secret_key_from_env("login-axum")?;
    let site = login_common::demo::Site::new("axum", &key)?;
    let port = login_common::port_from_env(login_axum::DEFAULT_PORT)?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("login-axum: listening on http://{}/", listener.local_addr()?);
    login_axum::serve_site(listener, site, async {
        // If Ctrl-C cannot be watched, serve until killed.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    })
    .await?;
    println!("login-axum: stopped");
    Ok(())
}
