//! The two server-certificate verifiers rustls does not ship. Both decide
//! only whether to trust the certificate; the handshake's signatures are
//! still checked by rustls's own functions, so the peer must hold the key of
//! the certificate it sent.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, WebPkiSupportedAlgorithms};
use rustls::{CertificateError, DigitallySignedStruct, Error, SignatureScheme};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

/// What a verifier says of any certificate.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Verdict {
    /// `dangerous_accept_any_certificate`: asyncio's `CERT_NONE` with
    /// `check_hostname = False`.
    AcceptAny,
    /// No trusted root at all (an empty system store and no CA given).
    /// rustls's WebPKI verifier refuses to be built without roots; OpenSSL
    /// (and so asyncio) builds the context and fails each handshake with
    /// "unknown issuer", which this does.
    UnknownIssuer,
}

#[derive(Debug)]
pub(crate) struct FixedVerifier {
    verdict: Verdict,
    algorithms: WebPkiSupportedAlgorithms,
}

impl FixedVerifier {
    pub(crate) fn new(verdict: Verdict, algorithms: WebPkiSupportedAlgorithms) -> Self {
        FixedVerifier { verdict, algorithms }
    }
}

impl ServerCertVerifier for FixedVerifier {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        match self.verdict {
            Verdict::AcceptAny => Ok(ServerCertVerified::assertion()),
            Verdict::UnknownIssuer => Err(Error::InvalidCertificate(CertificateError::UnknownIssuer)),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
