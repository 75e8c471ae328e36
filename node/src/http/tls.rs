//! TLS: rustls with the `ring` provider, from the PEM files named by `tls_cert` and `tls_key`.
//! ALPN offers `h2` then `http/1.1`.

use std::path::Path;
use std::sync::Arc;

use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

fn error(msg: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, msg)
}

/// An acceptor serving the certificate chain in `cert` with the key in `key`.
pub fn acceptor(cert: &Path, key: &Path) -> std::io::Result<TlsAcceptor> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<_, _>>())
        .map_err(|e| error(format!("tls_cert {}: {e}", cert.display())))?;
    if chain.is_empty() {
        return Err(error(format!(
            "tls_cert {}: no CERTIFICATE in the file",
            cert.display()
        )));
    }
    // The error names the file, never its contents.
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| error(format!("tls_key {}: {e}", key.display())))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| error(format!("TLS: {e}")))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| {
            error(format!(
                "tls_cert and tls_key do not make a usable pair: {e}"
            ))
        })?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
