//! The network seam: name lookups, TCP reachability checks and HTTP
//! requests, for the template helpers that reach the network in Salt
//! (`dns_check`, `http_query`) and `http.query`. Only the implementation
//! handed to the `Ctx` touches the network; tests give a fake.

use std::net::SocketAddr;
use std::time::Duration;

/// One HTTP request, as Salt's `http.query` builds it for its backend.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    pub method: String,
    /// The full URL, query string included.
    pub url: String,
    /// Header names and values in the order they are sent.
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    /// Check the server's certificate (https only).
    pub verify_ssl: bool,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
}

/// The answer to an [`HttpRequest`], whatever its status.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponse {
    pub status: u16,
    /// The status line's reason phrase.
    pub reason: String,
    /// Header names and values in the order they came.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// A request that got no HTTP answer.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The connection failed (refused, reset, unreachable, lookup).
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// No answer in time: `while connecting` or `during request`
    /// (tornado's `Timeout while connecting` / `Timeout during request`).
    #[error("Timeout {0}")]
    Timeout(&'static str),
    /// Anything else the client reported (TLS, protocol).
    #[error("{0}")]
    Other(String),
}

/// Name resolution, TCP checks and HTTP for one minion.
pub trait Network: Send + Sync {
    /// The addresses `getaddrinfo(host, port, AF_UNSPEC, SOCK_STREAM)`
    /// gives, in its order.
    fn lookup(&self, host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>>;
    /// Whether a TCP connection to `addr` opens within `timeout`.
    fn can_connect(&self, addr: SocketAddr, timeout: Duration) -> bool;
    /// Send `request` and read the whole answer.
    fn http(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError>;
}

/// A network where nothing resolves or answers: for contexts that must not
/// reach the network (module tests, the controller's tree check).
pub struct NoNetwork;

fn unreachable() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::NetworkUnreachable,
        "Network is unreachable",
    )
}

impl Network for NoNetwork {
    fn lookup(&self, _host: &str, _port: u16) -> std::io::Result<Vec<SocketAddr>> {
        Err(std::io::Error::other("Name or service not known"))
    }
    fn can_connect(&self, _addr: SocketAddr, _timeout: Duration) -> bool {
        false
    }
    fn http(&self, _request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        Err(HttpError::Io(unreachable()))
    }
}
