//! The real [`Network`]: std's resolver (`getaddrinfo` through
//! `ToSocketAddrs`) and TCP connect for `dns_check`, and ureq (blocking,
//! TLS through native-tls, i.e. the system OpenSSL) for `http_query` and
//! `http.query`. Status codes are answers here, not errors: Salt's shapes
//! for 4xx/5xx are built by the caller.

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use halite_api::{HttpError, HttpRequest, HttpResponse, Network};
use ureq::tls::{RootCerts, TlsConfig, TlsProvider};

/// The host's network.
pub struct SystemNetwork;

/// Salt's `http_max_body` default: 100 MiB.
const MAX_BODY: u64 = 100 * 1024 * 1024;

impl Network for SystemNetwork {
    fn lookup(&self, host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
        Ok((host, port).to_socket_addrs()?.collect())
    }

    fn can_connect(&self, addr: SocketAddr, timeout: Duration) -> bool {
        TcpStream::connect_timeout(&addr, timeout).is_ok()
    }

    fn http(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        let agent = agent(request);
        let mut response = send(&agent, request).map_err(http_error)?;
        let status = response.status();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = if request.method == "HEAD" {
            Vec::new()
        } else {
            response
                .body_mut()
                .with_config()
                .limit(MAX_BODY)
                .read_to_vec()
                .map_err(http_error)?
        };
        Ok(HttpResponse {
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("Unknown").to_string(),
            headers,
            body,
        })
    }
}

fn agent(request: &HttpRequest) -> ureq::Agent {
    let tls = TlsConfig::builder()
        .provider(TlsProvider::NativeTls)
        .root_certs(RootCerts::PlatformVerifier)
        .disable_verification(!request.verify_ssl)
        .build();
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .allow_non_standard_methods(true)
        .max_redirects(5)
        .tls_config(tls)
        .timeout_connect(Some(request.connect_timeout))
        .timeout_global(Some(request.request_timeout))
        .build()
        .into()
}

fn send(
    agent: &ureq::Agent,
    request: &HttpRequest,
) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
    let url = request.url.as_str();
    let bodyless = match request.method.as_str() {
        "GET" => Some(agent.get(url)),
        "DELETE" => Some(agent.delete(url)),
        "HEAD" => Some(agent.head(url)),
        "OPTIONS" => Some(agent.options(url)),
        "TRACE" => Some(agent.trace(url)),
        _ => None,
    };
    let builder = match bodyless {
        Some(b) if request.body.is_none() => {
            return with_headers(b, &request.headers).call();
        }
        Some(b) => b.force_send_body(),
        None => match request.method.as_str() {
            "POST" => agent.post(url),
            "PUT" => agent.put(url),
            "PATCH" => agent.patch(url),
            _ => return run_other(agent, request),
        },
    };
    let builder = with_headers(builder, &request.headers);
    match &request.body {
        Some(body) => builder.send(&body[..]),
        None => builder.send_empty(),
    }
}

/// A method ureq has no builder for (allowed as non-standard).
fn run_other(
    agent: &ureq::Agent,
    request: &HttpRequest,
) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
    let mut builder = ureq::http::Request::builder()
        .method(request.method.as_str())
        .uri(request.url.as_str());
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let body = request.body.clone().unwrap_or_default();
    agent.run(builder.body(body)?)
}

fn with_headers<B>(
    mut builder: ureq::RequestBuilder<B>,
    headers: &[(String, String)],
) -> ureq::RequestBuilder<B> {
    for (name, value) in headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder
}

fn http_error(error: ureq::Error) -> HttpError {
    match error {
        ureq::Error::Io(e) => HttpError::Io(e),
        ureq::Error::Timeout(ureq::Timeout::Connect) => HttpError::Timeout("while connecting"),
        ureq::Error::Timeout(_) => HttpError::Timeout("during request"),
        ureq::Error::HostNotFound => HttpError::Io(std::io::Error::other(
            "[Errno -2] Name or service not known",
        )),
        other => HttpError::Other(other.to_string()),
    }
}
