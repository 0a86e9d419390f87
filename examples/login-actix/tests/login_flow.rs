//! The seed app's login flow over real HTTP on loopback, against the example started on its own thread.

use std::net::TcpListener;

#[test]
fn login_logout_tamper_and_too_large() {
    let key = session_actix::SecretKey::parse("a-demo-secret-key-1234").expect("valid key");
    let config = login_common::session_config(key).expect("valid config");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = login_actix::serve(listener, config).await.expect("server");
            tx.send(server.handle()).expect("send handle");
            server.await.expect("served");
        });
    });
    let handle = rx.recv().expect("server handle");
    login_common::check::login_flow(addr);
    actix_web::rt::System::new().block_on(handle.stop(true));
    thread.join().expect("server thread");
}
