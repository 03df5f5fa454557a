//! asyncio's `ssl.SSLError` family as one Rust enum.

use rustls::CertificateError;
use std::fmt;
use std::io;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A TLS failure (asyncio's `ssl.SSLError` and its subclasses).
///
/// It converts into an [`io::Error`] (with the `SslError` as its inner error),
/// so `?` works in functions returning `io::Result`; errors read from or
/// written to a [`TlsStream`](super::TlsStream) carry an `SslError` the same
/// way whenever TLS, not the socket, failed.
///
/// ```
/// use tulip_net::tls::{CertificateVerifyReason, SslError, TlsContext};
///
/// let err = TlsContext::server(b"not a PEM file", b"").unwrap_err();
/// assert!(matches!(err, SslError::InvalidCertificate(_)));
///
/// // What a failed verification looks like, for a `match`:
/// let err = SslError::CertificateVerify { reason: CertificateVerifyReason::UnknownIssuer };
/// assert!(err.to_string().starts_with("certificate verify failed: unknown issuer"));
/// let io: std::io::Error = err.into();
/// assert_eq!(io.kind(), std::io::ErrorKind::InvalidData);
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SslError {
    /// The peer's certificate was rejected (asyncio's
    /// `ssl.SSLCertVerificationError`).
    #[error("certificate verify failed: {reason}")]
    CertificateVerify {
        /// Why it was rejected.
        reason: CertificateVerifyReason,
    },
    /// A certificate given to a [`TlsContext`](super::TlsContext) could not be
    /// used: not PEM, no certificate in it, or not a valid X.509 certificate.
    #[error("invalid certificate: {0}")]
    InvalidCertificate(String),
    /// A private key given to a [`TlsContext`](super::TlsContext) could not be
    /// used: not PEM, not a key type rustls supports, or not the certificate's.
    #[error("invalid private key: {0}")]
    InvalidKey(String),
    /// `server_hostname` is neither a DNS name nor an IP address.
    #[error("invalid server hostname {0:?}")]
    InvalidHostname(String),
    /// A client context was used to accept, a server context to connect, or a
    /// method of one side was called on the other.
    #[error("{0}")]
    WrongContext(&'static str),
    /// The TLS protocol failed other than by a rejected certificate: an alert
    /// from the peer (it refused our certificate, or wants one), no common
    /// protocol version or cipher, a malformed message (asyncio's
    /// `ssl.SSLError`).
    #[error("TLS error: {0}")]
    Handshake(rustls::Error),
    /// The peer closed the connection in the middle of the handshake
    /// (asyncio's `ssl.SSLEOFError`).
    #[error("EOF occurred in violation of protocol: the peer closed the connection during the TLS handshake")]
    Eof,
    /// The handshake took longer than the context's
    /// [`handshake_timeout`](super::TlsContext::handshake_timeout) (asyncio's
    /// `ssl_handshake_timeout`).
    #[error("TLS handshake is taking longer than {0:?}: aborting the connection")]
    HandshakeTimeout(Duration),
    /// The socket failed (connect, read or write).
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Why a certificate was rejected, as OpenSSL's `verify_message` would say.
///
/// ```
/// use tulip_net::tls::CertificateVerifyReason;
/// let r = CertificateVerifyReason::HostnameMismatch {
///     expected: "example.com".into(),
///     presented: vec!["localhost".into()],
/// };
/// assert_eq!(
///     r.to_string(),
///     "Hostname mismatch, certificate is not valid for 'example.com' (it is valid for localhost)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertificateVerifyReason {
    /// The chain does not lead to a trusted CA certificate: self-signed,
    /// or signed by a CA the context was not given.
    UnknownIssuer,
    /// The certificate is for other names than the one connected to.
    HostnameMismatch {
        /// The name (or IP address) the client asked for.
        expected: String,
        /// The names the certificate is valid for, when known.
        presented: Vec<String>,
    },
    /// The certificate's validity ended before now.
    Expired {
        /// Its `notAfter`, when known.
        not_after: Option<SystemTime>,
    },
    /// The certificate's validity starts after now.
    NotYetValid {
        /// Its `notBefore`, when known.
        not_before: Option<SystemTime>,
    },
    /// The certificate has been revoked.
    Revoked,
    /// A signature in the chain does not match its issuer's key.
    BadSignature,
    /// Any other reason, in rustls's words.
    Other(String),
}

impl fmt::Display for CertificateVerifyReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownIssuer => {
                f.write_str("unknown issuer: the certificate is not signed by a trusted CA (unable to get local issuer certificate)")
            }
            Self::HostnameMismatch { expected, presented } => {
                write!(f, "Hostname mismatch, certificate is not valid for '{expected}'")?;
                if !presented.is_empty() {
                    write!(f, " (it is valid for {})", presented.join(", "))?;
                }
                Ok(())
            }
            Self::Expired { not_after } => {
                f.write_str("certificate has expired")?;
                if let Some(t) = not_after.and_then(|t| t.duration_since(UNIX_EPOCH).ok()) {
                    write!(f, " (not valid after {} UNIX time)", t.as_secs())?;
                }
                Ok(())
            }
            Self::NotYetValid { not_before } => {
                f.write_str("certificate is not yet valid")?;
                if let Some(t) = not_before.and_then(|t| t.duration_since(UNIX_EPOCH).ok()) {
                    write!(f, " (not valid before {} UNIX time)", t.as_secs())?;
                }
                Ok(())
            }
            Self::Revoked => f.write_str("certificate revoked"),
            Self::BadSignature => f.write_str("certificate signature failure"),
            Self::Other(why) => f.write_str(why),
        }
    }
}

/// webpki lists a certificate's names in its Debug form (`DnsName("a.example")`,
/// `IpAddress(127.0.0.1)`); the bare name is what a person compares.
fn bare_name(name: String) -> String {
    for (prefix, suffix) in [("DnsName(\"", "\")"), ("IpAddress(", ")")] {
        if let Some(bare) = name.strip_prefix(prefix).and_then(|rest| rest.strip_suffix(suffix)) {
            return bare.to_owned();
        }
    }
    name
}

fn system_time(t: rustls_pki_types::UnixTime) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(t.as_secs())
}

impl CertificateVerifyReason {
    /// Names rustls's verdict; `server_name` fills in the expected name when
    /// rustls did not say it.
    fn from_rustls(e: CertificateError, server_name: Option<&str>) -> Self {
        let expected = || server_name.unwrap_or_default().to_owned();
        match e {
            CertificateError::UnknownIssuer => Self::UnknownIssuer,
            CertificateError::NotValidForName => Self::HostnameMismatch { expected: expected(), presented: Vec::new() },
            CertificateError::NotValidForNameContext { expected: name, presented } => Self::HostnameMismatch {
                expected: name.to_str().into_owned(),
                presented: presented.into_iter().map(bare_name).collect(),
            },
            CertificateError::Expired => Self::Expired { not_after: None },
            CertificateError::ExpiredContext { not_after, .. } => {
                Self::Expired { not_after: Some(system_time(not_after)) }
            }
            CertificateError::NotValidYet => Self::NotYetValid { not_before: None },
            CertificateError::NotValidYetContext { not_before, .. } => {
                Self::NotYetValid { not_before: Some(system_time(not_before)) }
            }
            CertificateError::Revoked => Self::Revoked,
            CertificateError::BadSignature => Self::BadSignature,
            other => Self::Other(rustls::Error::InvalidCertificate(other).to_string()),
        }
    }
}

impl SslError {
    /// Classifies an error of rustls; `server_name` is the name a client
    /// connected to (for hostname mismatches).
    pub(crate) fn from_rustls(e: rustls::Error, server_name: Option<&str>) -> Self {
        match e {
            rustls::Error::InvalidCertificate(c) => {
                SslError::CertificateVerify { reason: CertificateVerifyReason::from_rustls(c, server_name) }
            }
            other => SslError::Handshake(other),
        }
    }

    /// Classifies an error from futures-rustls, which wraps rustls's errors in
    /// `io::Error`s and reports a peer that hangs up mid-handshake as
    /// `UnexpectedEof`.
    pub(crate) fn from_io(e: io::Error, server_name: Option<&str>) -> Self {
        if e.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) {
            let kind = e.kind();
            return match e.into_inner().map(|inner| inner.downcast::<rustls::Error>()) {
                Some(Ok(tls)) => Self::from_rustls(*tls, server_name),
                // Unreachable (checked above), but an io::Error is still an answer.
                Some(Err(inner)) => SslError::Io(io::Error::new(kind, inner)),
                None => SslError::Io(kind.into()),
            };
        }
        if e.kind() == io::ErrorKind::UnexpectedEof {
            return SslError::Eof;
        }
        SslError::Io(e)
    }

    fn io_kind(&self) -> io::ErrorKind {
        match self {
            SslError::CertificateVerify { .. } | SslError::Handshake(_) => io::ErrorKind::InvalidData,
            SslError::InvalidCertificate(_)
            | SslError::InvalidKey(_)
            | SslError::InvalidHostname(_)
            | SslError::WrongContext(_) => io::ErrorKind::InvalidInput,
            SslError::Eof => io::ErrorKind::UnexpectedEof,
            SslError::HandshakeTimeout(_) => io::ErrorKind::TimedOut,
            SslError::Io(e) => e.kind(),
        }
    }
}

impl From<SslError> for io::Error {
    fn from(e: SslError) -> io::Error {
        match e {
            SslError::Io(e) => e,
            other => io::Error::new(other.io_kind(), other),
        }
    }
}

/// For the stream's reads and writes: a TLS failure inside an `io::Error`
/// becomes an `io::Error` carrying an [`SslError`]; socket errors pass as
/// they are.
pub(crate) fn tls_io_error(e: io::Error, server_name: Option<&str>) -> io::Error {
    if e.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) {
        SslError::from_io(e, server_name).into()
    } else {
        e
    }
}
