//! Transport and start-up checks: HTTPS through rustls with a certificate made in
//! the test, TLS 1.2 and 1.3 accepted and older versions refused, HSTS on HTTPS
//! only, security headers on personal data, and production mode refusing weak
//! keys and plain HTTP.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use crate::both_backends;
use crate::common::{hanako, Backend, TestApp, ADMIN_LOGIN, ADMIN_PASSWORD};

both_backends!(personal_data_responses_carry_no_store_and_nosniff);

async fn personal_data_responses_carry_no_store_and_nosniff(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let reg = app.register(&w.cm_a, &hanako()).await;
    let id = reg["id"].as_str().unwrap();
    for path in [
        format!("/api/v1/registrants/{id}"),
        format!("/api/v1/registrants/{id}/care-decisions"),
        format!("/api/v1/registrants/{id}/access-log"),
        "/api/v1/registrants".to_owned(),
        "/api/v1/registrants/00000000-0000-0000-0000-000000000000".to_owned(),
    ] {
        let r = app.get(&path, &w.cm_a).await;
        assert_eq!(
            r.header("cache-control").as_deref(),
            Some("no-store"),
            "{path}"
        );
        assert_eq!(
            r.header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            r.header("strict-transport-security"),
            None,
            "no HSTS over plain HTTP"
        );
    }
    for path in ["/api/v1/users", "/api/v1/audit"] {
        let r = app.get(path, &w.admin).await;
        assert_eq!(
            r.header("cache-control").as_deref(),
            Some("no-store"),
            "{path}"
        );
    }
}

struct Tls {
    _dir: tempfile::TempDir,
    cert_pem: String,
    cert: std::path::PathBuf,
    key: std::path::PathBuf,
}

fn make_cert() -> Tls {
    let dir = tempfile::tempdir().unwrap();
    let ck =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap();
    let cert_pem = ck.cert.pem();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&cert, &cert_pem).unwrap();
    std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
    Tls {
        _dir: dir,
        cert_pem,
        cert,
        key,
    }
}

fn client_for(tls: &Tls, version: &'static rustls::SupportedProtocolVersion) -> awc::Client {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::CertificateDer::pem_slice_iter(tls.cert_pem.as_bytes()) {
        roots.add(c.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[version])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    awc::Client::builder()
        .connector(awc::Connector::new().rustls_0_23(Arc::new(config)))
        .timeout(Duration::from_secs(30))
        .finish()
}

/// A ClientHello offering at most `version` (0x0302 = TLS 1.1, 0x0303 = TLS 1.2)
/// with ECDHE-GCM suites and the extensions a TLS 1.2 server needs, so that the
/// version is the only thing that differs between the two.
fn client_hello(version: u16) -> Vec<u8> {
    let mut body = version.to_be_bytes().to_vec();
    body.extend_from_slice(&[7u8; 32]);
    body.push(0); // no session id
    body.extend_from_slice(&[0x00, 0x04, 0xc0, 0x2b, 0xc0, 0x2f]);
    body.extend_from_slice(&[0x01, 0x00]); // null compression
    let extensions: Vec<u8> = [
        // supported_groups: x25519, secp256r1
        &[0x00, 0x0a, 0x00, 0x06, 0x00, 0x04, 0x00, 0x1d, 0x00, 0x17][..],
        // ec_point_formats: uncompressed
        &[0x00, 0x0b, 0x00, 0x02, 0x01, 0x00][..],
        // signature_algorithms: ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256, rsa_pkcs1_sha256
        &[
            0x00, 0x0d, 0x00, 0x08, 0x00, 0x06, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01,
        ][..],
    ]
    .concat();
    body.extend_from_slice(&u16::try_from(extensions.len()).unwrap().to_be_bytes());
    body.extend(extensions);
    let mut hs = vec![0x01, 0x00];
    hs.extend_from_slice(&u16::try_from(body.len()).unwrap().to_be_bytes());
    hs.extend(body);
    let mut record = vec![0x16, 0x03, 0x01];
    record.extend_from_slice(&u16::try_from(hs.len()).unwrap().to_be_bytes());
    record.extend(hs);
    record
}

/// Sends a raw ClientHello; returns the first bytes of the answer.
fn raw_hello(addr: std::net::SocketAddr, version: u16) -> Vec<u8> {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(&client_hello(version)).unwrap();
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).unwrap_or(0);
    buf[..n].to_vec()
}

#[actix_web::test]
async fn https_serves_tls12_and_tls13_with_hsts_and_refuses_tls11() {
    let tls = make_cert();
    let dir = tempfile::tempdir().unwrap();
    let config = eir::config::Config {
        database_url: Some(dir.path().join("eir.sqlite3").display().to_string()),
        data_dir: dir.path().to_path_buf(),
        jwt_secret: Some(eir::config::Secret::new(
            "test-secret-test-secret-test-secret-0123",
        )),
        admin_login: Some(ADMIN_LOGIN.into()),
        admin_password: Some(eir::config::Secret::new(ADMIN_PASSWORD)),
        tls_cert: Some(tls.cert.clone()),
        tls_key: Some(tls.key.clone()),
        workers: Some(1),
        db_pool_size: 2,
        ..eir::config::Config::default()
    };
    config.validate().unwrap();
    let state = eir::bootstrap::build_state(config).unwrap();
    eir::bootstrap::ensure_first_admin(&state.pool, &state.config).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    actix_web::rt::spawn(eir::app::serve_on(state, Some(listener)));

    for version in [&rustls::version::TLS12, &rustls::version::TLS13] {
        let client = client_for(&tls, version);
        let mut res = None;
        for _ in 0..100 {
            match client
                .get(format!("https://127.0.0.1:{}/healthz", addr.port()))
                .send()
                .await
            {
                Ok(r) => {
                    res = Some(r);
                    break;
                }
                Err(_) => actix_web::rt::time::sleep(Duration::from_millis(50)).await,
            }
        }
        let res = res.expect("HTTPS answer");
        assert_eq!(res.status().as_u16(), 200, "{version:?}");
        let hsts = res
            .headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(
            hsts.starts_with("max-age=31536000"),
            "HSTS over {version:?}: {hsts:?}"
        );
        let mut login = client
            .post(format!(
                "https://127.0.0.1:{}/api/v1/auth/token",
                addr.port()
            ))
            .send_json(&serde_json::json!({"login": ADMIN_LOGIN, "password": ADMIN_PASSWORD}))
            .await
            .unwrap();
        assert_eq!(login.status().as_u16(), 200);
        assert_eq!(login.headers().get("cache-control").unwrap(), "no-store");
        let _ = login.body().await;
    }

    // The same raw hello gets a ServerHello as TLS 1.2 and a fatal alert as
    // TLS 1.1 (or TLS 1.0): old protocol versions are refused.
    let answers = actix_web::rt::task::spawn_blocking(move || {
        [0x0303u16, 0x0302, 0x0301].map(|v| raw_hello(addr, v))
    })
    .await
    .unwrap();
    assert_eq!(
        answers[0].first(),
        Some(&0x16),
        "TLS 1.2 ServerHello: {:02x?}",
        answers[0]
    );
    for old in &answers[1..] {
        assert_eq!(
            old.first(),
            Some(&0x15),
            "an old version must get an alert: {old:02x?}"
        );
        assert_eq!(old.get(5), Some(&2), "fatal alert: {old:02x?}");
    }
}

/// Runs `eir serve` with `env` until it exits or answers /readyz.
fn start_up(env: &[(&str, &str)]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eir"));
    cmd.arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("EIR_DATA_DIR", dir.path())
        .env("EIR_LISTEN", format!("127.0.0.1:{port}"))
        .env("EIR_ADMIN_LOGIN", ADMIN_LOGIN)
        .env("EIR_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    for _ in 0..600 {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            return (status.code(), err);
        }
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            s.write_all(b"GET /readyz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut got = String::new();
            let _ = s.read_to_string(&mut got);
            if got.starts_with("HTTP/1.1 200") {
                child.kill().unwrap();
                child.wait().unwrap();
                return (None, "serving".into());
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    panic!("eir serve neither exited nor served");
}

#[test]
fn production_mode_refuses_weak_keys_and_plain_http() {
    const STRONG: &str = "9f2c7e41b0d85a36c4e19f7b2d6a08e3f5c1b94d";
    let (code, err) = start_up(&[("EIR_ENV", "production")]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("EIR_JWT_SECRET") && err.contains("generated"),
        "{err}"
    );
    let (code, err) = start_up(&[("EIR_ENV", "production"), ("EIR_JWT_SECRET", "short-key")]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("EIR_JWT_SECRET"), "{err}");
    let weak = "x".repeat(48);
    let (code, err) = start_up(&[("EIR_ENV", "production"), ("EIR_JWT_SECRET", &weak)]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("EIR_JWT_SECRET") && err.contains("weak"),
        "{err}"
    );
    let (code, err) = start_up(&[("EIR_ENV", "production"), ("EIR_JWT_SECRET", STRONG)]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("EIR_TLS_CERT") && err.contains("EIR_BEHIND_TLS_PROXY"),
        "{err}"
    );
    let (code, out) = start_up(&[
        ("EIR_ENV", "production"),
        ("EIR_JWT_SECRET", STRONG),
        ("EIR_BEHIND_TLS_PROXY", "true"),
    ]);
    assert_eq!((code, out.as_str()), (None, "serving"));
    // Development mode still starts with a generated key.
    let (code, out) = start_up(&[]);
    assert_eq!((code, out.as_str()), (None, "serving"));
}
