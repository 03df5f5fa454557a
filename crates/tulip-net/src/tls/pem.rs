//! PEM input for contexts, parsed by rustls-pki-types (rustls 0.23's
//! recommended parser; rustls-pemfile is retired).

use super::SslError;
use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// Every certificate in `pem`, in order (a chain is leaf first); at least one.
pub(crate) fn certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, SslError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| SslError::InvalidCertificate(format!("not readable as PEM: {e}")))?;
    if certs.is_empty() {
        return Err(SslError::InvalidCertificate("no \"BEGIN CERTIFICATE\" section in the PEM data".into()));
    }
    Ok(certs)
}

/// The first private key in `pem` (PKCS#8, PKCS#1 RSA or SEC1 EC).
pub(crate) fn private_key(pem: &[u8]) -> Result<PrivateKeyDer<'static>, SslError> {
    PrivateKeyDer::from_pem_slice(pem).map_err(|e| match e {
        pem::Error::NoItemsFound => SslError::InvalidKey("no private key section in the PEM data".into()),
        e => SslError::InvalidKey(format!("not readable as PEM: {e}")),
    })
}
