//! The seed app's login flow over real HTTP on loopback, against the example started in-process.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_logout_tamper_and_too_large() {
    let key = session_axum::SecretKey::parse("a-demo-secret-key-1234").expect("valid key");
    let config = login_common::session_config(key).expect("valid config");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(login_axum::serve(listener, config, async {
        let _ = stopped.await;
    }));
    tokio::task::spawn_blocking(move || login_common::check::login_flow(addr))
        .await
        .expect("flow");
    let _ = stop.send(());
    server.await.expect("join").expect("served");
}
