//! TLS through rustls: TLS 1.2 and 1.3 only, certificate and key from PEM files.

use std::path::Path;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A server configuration from PEM files; errors name the file at fault.
pub fn server_config(cert: &Path, key: &Path) -> Result<rustls::ServerConfig, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("EIR_TLS_CERT: cannot read {}: {e}", cert.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("EIR_TLS_CERT: invalid PEM in {}: {e}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "EIR_TLS_CERT: no certificate in {}",
            cert.display()
        ));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
        format!(
            "EIR_TLS_KEY: no usable private key in {}: {e}",
            key.display()
        )
    })?;
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| format!("TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("EIR_TLS_KEY: key does not match the certificate: {e}"))
}
