//! `TlsContext`: asyncio's `ssl.SSLContext`, over rustls's client and server
//! configurations.

use super::pem;
use super::verify::{FixedVerifier, Verdict};
use super::SslError;
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::fmt;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// asyncio's default `ssl_handshake_timeout`.
const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(60);

/// A TLS configuration for connections (asyncio's `ssl.SSLContext`): a
/// client context to connect with, or a server context to accept with.
///
/// Built once, used for many connections: cloning is cheap (the rustls
/// configuration is behind an `Arc`) and clones share rustls's session cache,
/// so later connections to the same server resume their session.
/// The builder methods consume the context and return a new one; a
/// connection keeps the configuration it started with.
///
/// | asyncio | tulip |
/// |---|---|
/// | `ssl.create_default_context()` | [`TlsContext::client`] |
/// | `ctx.load_verify_locations(cadata=pem)`, `(cafile=path)` | [`with_ca_pem`](Self::with_ca_pem), [`with_ca_file`](Self::with_ca_file) |
/// | `ctx.load_cert_chain(cert, key)` on a client | [`with_client_cert`](Self::with_client_cert) |
/// | `ctx.check_hostname = False; ctx.verify_mode = CERT_NONE` | [`dangerous_accept_any_certificate`](Self::dangerous_accept_any_certificate) |
/// | `SSLContext(PROTOCOL_TLS_SERVER)` + `load_cert_chain` | [`TlsContext::server`] |
/// | `verify_mode = CERT_REQUIRED` on a server | [`require_client_cert`](Self::require_client_cert) |
/// | `ctx.set_alpn_protocols([...])` | [`alpn`](Self::alpn) |
/// | `ssl_handshake_timeout=` | [`handshake_timeout`](Self::handshake_timeout) |
///
/// ```
/// use tulip_net::tls::TlsContext;
/// let ctx = TlsContext::client().alpn(["h2", "http/1.1"]);
/// let same = ctx.clone(); // shares the configuration
/// assert!(!same.is_server());
/// ```
#[derive(Clone)]
pub struct TlsContext {
    side: Side,
    handshake_timeout: Duration,
}

#[derive(Clone)]
enum Side {
    Client(Arc<ClientSide>),
    Server(Arc<ServerSide>),
}

/// What a client context was built from, kept so that each builder call can
/// rebuild the rustls configuration (which is immutable once built).
#[derive(Clone)]
struct ClientSettings {
    roots: RootCertStore,
    identity: Option<Identity>,
    alpn: Vec<Vec<u8>>,
    accept_any: bool,
}

struct ClientSide {
    settings: ClientSettings,
    config: Arc<ClientConfig>,
}

#[derive(Clone)]
struct ServerSettings {
    identity: Identity,
    client_roots: Option<RootCertStore>,
    alpn: Vec<Vec<u8>>,
}

struct ServerSide {
    settings: ServerSettings,
    config: Arc<ServerConfig>,
}

/// A certificate chain and its private key.
struct Identity {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl Clone for Identity {
    fn clone(&self) -> Self {
        // PrivateKeyDer is not Clone so that copies of a key are explicit.
        Identity { chain: self.chain.clone(), key: self.key.clone_key() }
    }
}

impl Identity {
    fn from_pem(chain_pem: &[u8], key_pem: &[u8]) -> Result<Self, SslError> {
        Ok(Identity { chain: pem::certificates(chain_pem)?, key: pem::private_key(key_pem)? })
    }
}

/// The one crypto provider: ring (aws-lc is not compiled in). Passed
/// explicitly so no process-wide default has to be installed.
fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER.get_or_init(|| Arc::new(rustls::crypto::ring::default_provider())).clone()
}

/// The OS's trusted CA certificates, read once per process (like OpenSSL's
/// default verify paths: /etc/ssl/certs, or `SSL_CERT_FILE`/`SSL_CERT_DIR`).
/// Certificates that do not parse are skipped, as OpenSSL skips them.
fn system_roots() -> RootCertStore {
    static ROOTS: OnceLock<RootCertStore> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let mut roots = RootCertStore::empty();
            roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
            roots
        })
        .clone()
}

fn add_roots(roots: &mut RootCertStore, ca_pem: &[u8]) -> Result<(), SslError> {
    for cert in pem::certificates(ca_pem)? {
        roots.add(cert).map_err(|e| SslError::InvalidCertificate(format!("not usable as a CA certificate: {e}")))?;
    }
    Ok(())
}

/// rustls refuses a key that it cannot load or that is not the certificate's.
fn key_error(e: rustls::Error) -> SslError {
    match e {
        rustls::Error::InconsistentKeys(_) => {
            SslError::InvalidKey("the private key does not belong to the certificate".into())
        }
        e => SslError::InvalidKey(e.to_string()),
    }
}

fn build_client(s: &ClientSettings) -> Result<ClientConfig, SslError> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(SslError::Handshake)?;
    let verdict = if s.accept_any {
        Some(Verdict::AcceptAny)
    } else if s.roots.is_empty() {
        Some(Verdict::UnknownIssuer)
    } else {
        None
    };
    let builder = match verdict {
        Some(v) => builder.dangerous().with_custom_certificate_verifier(Arc::new(FixedVerifier::new(
            v,
            provider.signature_verification_algorithms,
        ))),
        None => {
            let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(s.roots.clone()), provider)
                .build()
                .map_err(|e| SslError::InvalidCertificate(e.to_string()))?;
            builder.with_webpki_verifier(verifier)
        }
    };
    let mut config = match &s.identity {
        Some(id) => builder.with_client_auth_cert(id.chain.clone(), id.key.clone_key()).map_err(key_error)?,
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = s.alpn.clone();
    Ok(config)
}

fn build_server(s: &ServerSettings) -> Result<ServerConfig, SslError> {
    let provider = provider();
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(SslError::Handshake)?;
    let builder = match &s.client_roots {
        Some(roots) => {
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots.clone()), provider)
                .build()
                .map_err(|e| SslError::InvalidCertificate(e.to_string()))?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let mut config =
        builder.with_single_cert(s.identity.chain.clone(), s.identity.key.clone_key()).map_err(key_error)?;
    config.alpn_protocols = s.alpn.clone();
    Ok(config)
}

const CLIENT_ONLY: &str = "this needs a client context (TlsContext::client())";
const SERVER_ONLY: &str = "this needs a server context (TlsContext::server(..))";

impl TlsContext {
    /// A client context that verifies servers against the system's trusted
    /// CA certificates and checks the host name, and sends the name as SNI
    /// (asyncio's `ssl.create_default_context()`). TLS 1.2 and 1.3.
    ///
    /// The system store is read on the first call in the process (a blocking
    /// read of a few hundred files, like OpenSSL's); later calls reuse it. A
    /// machine without a store still gets a context, whose handshakes fail
    /// with an unknown issuer unless [`with_ca_pem`](Self::with_ca_pem) adds one.
    ///
    /// ```
    /// let ctx = tulip_net::tls::TlsContext::client();
    /// assert!(!ctx.is_server());
    /// ```
    pub fn client() -> TlsContext {
        let settings = ClientSettings { roots: system_roots(), identity: None, alpn: Vec::new(), accept_any: false };
        // Cannot fail, by construction: ring supports rustls's default
        // protocol versions, there is no client key to check, and the WebPKI
        // verifier (whose only errors are "no roots" and bad CRLs) is built
        // only over a non-empty store, without CRLs.
        #[allow(clippy::expect_used)]
        let config =
            build_client(&settings).expect("a client configuration without a client certificate always builds");
        TlsContext::from_client(settings, config)
    }

    /// A server context presenting `cert_chain_pem` (the server's certificate
    /// first, then any intermediates) with its private key `key_pem`
    /// (asyncio's `SSLContext(PROTOCOL_TLS_SERVER)` and `load_cert_chain`).
    ///
    /// ```
    /// let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    /// let ctx = tulip_net::tls::TlsContext::server(made.cert.pem(), made.signing_key.serialize_pem()).unwrap();
    /// assert!(ctx.is_server());
    /// ```
    pub fn server(cert_chain_pem: impl AsRef<[u8]>, key_pem: impl AsRef<[u8]>) -> Result<TlsContext, SslError> {
        let settings = ServerSettings {
            identity: Identity::from_pem(cert_chain_pem.as_ref(), key_pem.as_ref())?,
            client_roots: None,
            alpn: Vec::new(),
        };
        let config = build_server(&settings)?;
        Ok(TlsContext::from_server(settings, config))
    }

    /// Also trusts the CA certificate(s) in `ca_pem`, beside the system's
    /// (asyncio's `load_verify_locations(cadata=...)`): for a private CA, or
    /// a test one. Client contexts only.
    ///
    /// ```
    /// # let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    /// # let ca_pem = made.cert.pem();
    /// let ctx = tulip_net::tls::TlsContext::client().with_ca_pem(ca_pem).unwrap();
    /// # let _ = ctx;
    /// assert!(tulip_net::tls::TlsContext::client().with_ca_pem("junk").is_err());
    /// ```
    pub fn with_ca_pem(self, ca_pem: impl AsRef<[u8]>) -> Result<TlsContext, SslError> {
        self.rebuild_client(|s| add_roots(&mut s.roots, ca_pem.as_ref()))
    }

    /// [`with_ca_pem`](Self::with_ca_pem) with the PEM read from a file
    /// (asyncio's `load_verify_locations(cafile=...)`). The read blocks, as
    /// it does in asyncio: make contexts before serving.
    ///
    /// ```
    /// # let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    /// let path = std::env::temp_dir().join(format!("tulip-doc-ca-{}.pem", std::process::id()));
    /// std::fs::write(&path, made.cert.pem()).unwrap();
    /// let ctx = tulip_net::tls::TlsContext::client().with_ca_file(&path).unwrap();
    /// # let _ = (ctx, std::fs::remove_file(&path));
    /// ```
    pub fn with_ca_file(self, path: impl AsRef<Path>) -> Result<TlsContext, SslError> {
        let pem = std::fs::read(path)?;
        self.with_ca_pem(pem)
    }

    /// Presents this certificate chain and key when a server asks for a
    /// client certificate (asyncio's `load_cert_chain` on a client context).
    ///
    /// ```
    /// # let made = rcgen::generate_simple_self_signed(vec!["client".to_string()]).unwrap();
    /// # let (cert_pem, key_pem) = (made.cert.pem(), made.signing_key.serialize_pem());
    /// let ctx = tulip_net::tls::TlsContext::client().with_client_cert(cert_pem, key_pem).unwrap();
    /// # let _ = ctx;
    /// ```
    pub fn with_client_cert(
        self,
        cert_chain_pem: impl AsRef<[u8]>,
        key_pem: impl AsRef<[u8]>,
    ) -> Result<TlsContext, SslError> {
        let identity = Identity::from_pem(cert_chain_pem.as_ref(), key_pem.as_ref())?;
        self.rebuild_client(|s| {
            s.identity = Some(identity);
            Ok(())
        })
    }

    /// Requires every client to present a certificate signed by a CA in
    /// `ca_pem`; others fail the handshake (asyncio's server
    /// `verify_mode = CERT_REQUIRED` with `load_verify_locations`). Server
    /// contexts only.
    ///
    /// ```
    /// # let server = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    /// # let client_ca = rcgen::generate_simple_self_signed(vec!["client".to_string()]).unwrap();
    /// use tulip_net::tls::TlsContext;
    /// let ctx = TlsContext::server(server.cert.pem(), server.signing_key.serialize_pem())
    ///     .unwrap()
    ///     .require_client_cert(client_ca.cert.pem())
    ///     .unwrap();
    /// # let _ = ctx;
    /// ```
    pub fn require_client_cert(self, ca_pem: impl AsRef<[u8]>) -> Result<TlsContext, SslError> {
        let Side::Server(side) = &self.side else {
            return Err(SslError::WrongContext(SERVER_ONLY));
        };
        let mut settings = side.settings.clone();
        let mut roots = settings.client_roots.take().unwrap_or_else(RootCertStore::empty);
        add_roots(&mut roots, ca_pem.as_ref())?;
        settings.client_roots = Some(roots);
        let config = build_server(&settings)?;
        Ok(TlsContext { handshake_timeout: self.handshake_timeout, ..TlsContext::from_server(settings, config) })
    }

    /// The protocols offered (client) or accepted (server) by ALPN, in order
    /// of preference (asyncio's `set_alpn_protocols`). A server picks the
    /// first of its own that the client offers; with none in common rustls
    /// fails the handshake (RFC 7301's `no_application_protocol`). The
    /// result is [`TlsStream::negotiated_protocol`](super::TlsStream::negotiated_protocol).
    ///
    /// ```
    /// let ctx = tulip_net::tls::TlsContext::client().alpn(["h2", "http/1.1"]);
    /// # let _ = ctx;
    /// ```
    pub fn alpn<I, P>(self, protocols: I) -> TlsContext
    where
        I: IntoIterator<Item = P>,
        P: AsRef<[u8]>,
    {
        let alpn: Vec<Vec<u8>> = protocols.into_iter().map(|p| p.as_ref().to_vec()).collect();
        // Patched into a copy of the built configuration: nothing to check,
        // so nothing can fail.
        let side = match self.side {
            Side::Client(side) => {
                let mut config = ClientConfig::clone(&side.config);
                config.alpn_protocols = alpn.clone();
                let settings = ClientSettings { alpn, ..side.settings.clone() };
                Side::Client(Arc::new(ClientSide { settings, config: Arc::new(config) }))
            }
            Side::Server(side) => {
                let mut config = ServerConfig::clone(&side.config);
                config.alpn_protocols = alpn.clone();
                let settings = ServerSettings { alpn, ..side.settings.clone() };
                Side::Server(Arc::new(ServerSide { settings, config: Arc::new(config) }))
            }
        };
        TlsContext { side, handshake_timeout: self.handshake_timeout }
    }

    /// Turns certificate verification **off**: any certificate, for any
    /// name, from anyone, is accepted (asyncio's `check_hostname = False`
    /// with `verify_mode = ssl.CERT_NONE`). The connection is still
    /// encrypted, but to whoever answered, so an attacker in the path reads
    /// everything. Only for tests and for peers checked some other way.
    /// Client contexts; a server context is returned unchanged (a server
    /// verifies clients only when [`require_client_cert`](Self::require_client_cert)
    /// says so).
    ///
    /// ```
    /// let insecure = tulip_net::tls::TlsContext::client().dangerous_accept_any_certificate();
    /// # let _ = insecure;
    /// ```
    pub fn dangerous_accept_any_certificate(self) -> TlsContext {
        let Side::Client(side) = &self.side else {
            return self;
        };
        let mut config = ClientConfig::clone(&side.config);
        let verifier = FixedVerifier::new(Verdict::AcceptAny, provider().signature_verification_algorithms);
        config.dangerous().set_certificate_verifier(Arc::new(verifier));
        let settings = ClientSettings { accept_any: true, ..side.settings.clone() };
        TlsContext { handshake_timeout: self.handshake_timeout, ..TlsContext::from_client(settings, config) }
    }

    /// How long [`tls_connect`](super::tls_connect) and
    /// [`tls_accept`](super::tls_accept) wait for the handshake before
    /// failing with [`SslError::HandshakeTimeout`] (asyncio's
    /// `ssl_handshake_timeout`, 60 seconds by default).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = tulip_net::tls::TlsContext::client().handshake_timeout(Duration::from_secs(5));
    /// assert_eq!(ctx.get_handshake_timeout(), Duration::from_secs(5));
    /// ```
    pub fn handshake_timeout(self, limit: Duration) -> TlsContext {
        TlsContext { handshake_timeout: limit, ..self }
    }

    /// The handshake time limit (see [`handshake_timeout`](Self::handshake_timeout)).
    ///
    /// ```
    /// let ctx = tulip_net::tls::TlsContext::client();
    /// assert_eq!(ctx.get_handshake_timeout(), std::time::Duration::from_secs(60));
    /// ```
    pub fn get_handshake_timeout(&self) -> Duration {
        self.handshake_timeout
    }

    /// Whether this is a server context (asyncio's `SSLContext.protocol ==
    /// PROTOCOL_TLS_SERVER`).
    ///
    /// ```
    /// assert!(!tulip_net::tls::TlsContext::client().is_server());
    /// ```
    pub fn is_server(&self) -> bool {
        matches!(self.side, Side::Server(_))
    }

    pub(crate) fn client_config(&self) -> Result<Arc<ClientConfig>, SslError> {
        match &self.side {
            Side::Client(side) => Ok(side.config.clone()),
            Side::Server(_) => Err(SslError::WrongContext("tls_connect needs a client context (TlsContext::client())")),
        }
    }

    pub(crate) fn server_config(&self) -> Result<Arc<ServerConfig>, SslError> {
        match &self.side {
            Side::Server(side) => Ok(side.config.clone()),
            Side::Client(_) => {
                Err(SslError::WrongContext("tls_accept needs a server context (TlsContext::server(cert, key))"))
            }
        }
    }

    fn from_client(settings: ClientSettings, config: ClientConfig) -> TlsContext {
        TlsContext {
            side: Side::Client(Arc::new(ClientSide { settings, config: Arc::new(config) })),
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
        }
    }

    fn from_server(settings: ServerSettings, config: ServerConfig) -> TlsContext {
        TlsContext {
            side: Side::Server(Arc::new(ServerSide { settings, config: Arc::new(config) })),
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
        }
    }

    /// A client context with `change` applied to its settings, rebuilt.
    fn rebuild_client(
        self,
        change: impl FnOnce(&mut ClientSettings) -> Result<(), SslError>,
    ) -> Result<TlsContext, SslError> {
        let Side::Client(side) = &self.side else {
            return Err(SslError::WrongContext(CLIENT_ONLY));
        };
        let mut settings = side.settings.clone();
        change(&mut settings)?;
        let config = build_client(&settings)?;
        Ok(TlsContext { handshake_timeout: self.handshake_timeout, ..TlsContext::from_client(settings, config) })
    }
}

impl fmt::Debug for TlsContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let alpn = |p: &[Vec<u8>]| p.iter().map(|p| String::from_utf8_lossy(p).into_owned()).collect::<Vec<_>>();
        match &self.side {
            Side::Client(c) => f
                .debug_struct("TlsContext::client")
                .field("trusted_roots", &c.settings.roots.len())
                .field("verify", &!c.settings.accept_any)
                .field("client_cert", &c.settings.identity.is_some())
                .field("alpn", &alpn(&c.settings.alpn))
                .field("handshake_timeout", &self.handshake_timeout)
                .finish(),
            Side::Server(s) => f
                .debug_struct("TlsContext::server")
                .field("require_client_cert", &s.settings.client_roots.is_some())
                .field("alpn", &alpn(&s.settings.alpn))
                .field("handshake_timeout", &self.handshake_timeout)
                .finish(),
        }
    }
}
