//! Resource limits: body size, JSON nesting depth, string and list lengths, page
//! size (problem documents with 413 or 400/422), and on the real server
//! (`eir::app::serve_on`) the request and keep-alive timeouts and the cap on
//! concurrent connections.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::json;

use crate::both_backends;
use crate::common::{hanako, Backend, TestApp};

both_backends!(oversized_and_deep_input_gets_a_problem_document);

async fn oversized_and_deep_input_gets_a_problem_document(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.body_limit_bytes = 8 * 1024).await;
    let w = app.world().await;
    let mut big = hanako();
    big["medical"]["notes"] = json!("あ".repeat(4000));
    let r = app.post("/api/v1/registrants", &w.cm_a, &big).await;
    r.assert_problem(413, None);
    // Without a Content-Length (chunked), the limit still holds.
    let r = app
        .send_raw(
            "POST",
            "/api/v1/registrants",
            Some(&w.cm_a),
            "application/json",
            vec![b' '; 20_000],
        )
        .await;
    r.assert_problem(413, None);

    let mut deep = hanako();
    let mut nested = json!("x");
    for _ in 0..40 {
        nested = json!([nested]);
    }
    deep["phones"] = nested;
    let r = app.post("/api/v1/registrants", &w.cm_a, &deep).await;
    r.assert_problem(400, Some("body"));
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("deeper than 32"),
        "{}",
        r.text
    );
    // Brackets inside strings are not nesting.
    let mut brackets = hanako();
    brackets["medical"]["notes"] = json!("[".repeat(100));
    assert_eq!(
        app.post("/api/v1/registrants", &w.cm_a, &brackets)
            .await
            .status,
        201
    );

    let mut long = hanako();
    long["family_name"] = json!("佐".repeat(500));
    let r = app.post("/api/v1/registrants", &w.cm_a, &long).await;
    assert!(r.status == 400 || r.status == 422, "{}", r.text);
    r.assert_problem(r.status, Some("family_name"));
    let mut many = hanako();
    many["phones"] = json!(vec!["0157-23-0000"; 300]);
    let r = app.post("/api/v1/registrants", &w.cm_a, &many).await;
    assert!(r.status == 400 || r.status == 422, "{}", r.text);
    r.assert_problem(r.status, Some("phones"));

    app.get("/api/v1/registrants?limit=1000", &w.cm_a)
        .await
        .assert_problem(400, Some("limit"));
    app.get("/api/v1/audit?limit=100000", &w.admin)
        .await
        .assert_problem(400, Some("limit"));
}

/// Starts the production server code path on a free port with tight limits.
fn serve_with_limits() -> (std::net::SocketAddr, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let config = eir::config::Config {
        database_url: Some(dir.path().join("eir.sqlite3").display().to_string()),
        data_dir: dir.path().to_path_buf(),
        jwt_secret: Some(eir::config::Secret::new(
            "test-secret-test-secret-test-secret-0123",
        )),
        workers: Some(1),
        request_timeout_secs: 1,
        keep_alive_secs: 1,
        max_connections: 2,
        db_pool_size: 2,
        ..eir::config::Config::default()
    };
    let state = eir::bootstrap::build_state(config).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    actix_web::rt::spawn(eir::app::serve_on(state, Some(listener)));
    (addr, dir)
}

/// Reads until EOF or the read timeout; returns what arrived and whether the
/// server closed the connection.
fn read_until_close(s: &mut TcpStream, timeout: Duration) -> (String, bool) {
    s.set_read_timeout(Some(timeout)).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return (String::from_utf8_lossy(&got).into_owned(), true),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return (String::from_utf8_lossy(&got).into_owned(), true)
            }
            Err(_) => return (String::from_utf8_lossy(&got).into_owned(), false),
        }
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    actix_web::rt::task::spawn_blocking(f).await.unwrap()
}

#[actix_web::test]
async fn slow_and_idle_clients_are_cut_off_and_connections_are_capped() {
    let (addr, _dir) = serve_with_limits();
    // Wait until the server answers.
    blocking(move || {
        for _ in 0..200 {
            if let Ok(mut s) = TcpStream::connect(addr) {
                s.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                    .unwrap();
                let (got, _) = read_until_close(&mut s, Duration::from_secs(5));
                if got.starts_with("HTTP/1.1 200") {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("server did not start");
    })
    .await;

    // A client that never finishes its request head is cut off (1 s here; the
    // 8 s read bound is far below what an unconfigured server would wait).
    blocking(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
            .unwrap();
        let (got, closed) = read_until_close(&mut s, Duration::from_secs(8));
        assert!(closed, "slow request head not cut off; got {got:?}");
        assert!(got.is_empty() || got.starts_with("HTTP/1.1 408"), "{got:?}");
    })
    .await;

    // An idle keep-alive connection is closed after the keep-alive timeout.
    blocking(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            .unwrap();
        let (got, closed) = read_until_close(&mut s, Duration::from_secs(8));
        assert!(got.starts_with("HTTP/1.1 200"), "{got:?}");
        assert!(closed, "idle keep-alive connection left open");
    })
    .await;

    // Two connections hold both slots: a third is not served until one closes.
    blocking(move || {
        let hold = |a: std::net::SocketAddr| {
            let mut s = TcpStream::connect(a).unwrap();
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
                .unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut buf = [0u8; 512];
            let n = s.read(&mut buf).unwrap();
            assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
            // Keep it busy with an unfinished head so the keep-alive timer does not end it.
            s.write_all(b"GET /healthz HTTP/1.1\r\n").unwrap();
            s
        };
        let first = hold(addr);
        let _second = hold(addr);
        let mut third = TcpStream::connect(addr).unwrap();
        third
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            .unwrap();
        third
            .set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        let mut buf = [0u8; 512];
        let early = third.read(&mut buf);
        assert!(
            early.is_err(),
            "a connection beyond the cap was served: {:?}",
            early.map(|n| String::from_utf8_lossy(&buf[..n]).into_owned())
        );
        drop(first);
        let (got, _) = read_until_close(&mut third, Duration::from_secs(10));
        assert!(
            got.starts_with("HTTP/1.1 200"),
            "queued connection not served once a slot freed: {got:?}"
        );
    })
    .await;
}
