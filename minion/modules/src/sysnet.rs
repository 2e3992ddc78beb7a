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

/// std's `failed to lookup address information: <gai_strerror>` as
/// Python's `socket.gaierror` prints it (`[Errno -2] Name or service not
/// known`).
fn lookup_error(e: std::io::Error) -> std::io::Error {
    const GAI: [(i32, &str); 4] = [
        (-2, "Name or service not known"),
        (-3, "Temporary failure in name resolution"),
        (-5, "No address associated with hostname"),
        (-8, "Servname not supported for ai_socktype"),
    ];
    let text = e.to_string();
    let Some(reason) = text.strip_prefix("failed to lookup address information: ") else {
        return e;
    };
    match GAI.iter().find(|(_, known)| *known == reason) {
        Some((code, known)) => std::io::Error::other(format!("[Errno {code}] {known}")),
        None => e,
    }
}

fn http_error(error: ureq::Error) -> HttpError {
    match error {
        ureq::Error::Io(e) => HttpError::Io(lookup_error(e)),
        ureq::Error::Timeout(ureq::Timeout::Connect) => HttpError::Timeout("while connecting"),
        ureq::Error::Timeout(_) => HttpError::Timeout("during request"),
        ureq::Error::HostNotFound => HttpError::Io(std::io::Error::other(
            "[Errno -2] Name or service not known",
        )),
        other => HttpError::Other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;

    use super::*;

    /// One fixed answer from a server on 127.0.0.1; the request's head and
    /// body come back through the join handle.
    fn serve_once(answer: &'static str) -> (u16, std::thread::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
                if line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            (&stream).write_all(answer.as_bytes()).unwrap();
            head + &String::from_utf8(body).unwrap()
        });
        (port, handle)
    }

    fn request(port: u16, method: &str, body: Option<&str>) -> HttpRequest {
        HttpRequest {
            method: method.into(),
            url: format!("http://127.0.0.1:{port}/p?a=1"),
            headers: vec![
                ("User-Agent".into(), "Salt/3008.4 http.query()".into()),
                ("X-Test".into(), "one".into()),
            ],
            body: body.map(|b| b.as_bytes().to_vec()),
            verify_ssl: true,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(10),
        }
    }

    #[test]
    fn http_over_loopback() {
        let (port, server) = serve_once(
            "HTTP/1.0 404 Not Found\r\nContent-Type: text/plain\r\nX-A: 1\r\n\r\nmissing",
        );
        let answer = SystemNetwork
            .http(&request(port, "GET", Some("sent")))
            .unwrap();
        let seen = server.join().unwrap();
        assert!(seen.starts_with("GET /p?a=1 HTTP/1.1\r\n"), "{seen}");
        assert!(
            seen.to_ascii_lowercase().contains("x-test: one\r\n"),
            "{seen}"
        );
        assert!(seen.ends_with("\r\nsent"), "{seen}");
        assert_eq!(answer.status, 404);
        assert_eq!(answer.reason, "Not Found");
        assert_eq!(answer.body, b"missing");
        assert!(answer.headers.contains(&("x-a".into(), "1".into())));
    }

    #[test]
    fn refused_and_unresolvable_as_python_prints_them() {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        match SystemNetwork.http(&request(port, "PATCH", None)) {
            Err(HttpError::Io(e)) => assert_eq!(e.raw_os_error(), Some(111)),
            other => panic!("{other:?}"),
        }
        let e = std::io::Error::other(
            "failed to lookup address information: Name or service not known",
        );
        assert_eq!(
            lookup_error(e).to_string(),
            "[Errno -2] Name or service not known"
        );
    }

    #[test]
    fn lookup_and_connect_on_loopback() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let open = listener.local_addr().unwrap();
        assert!(SystemNetwork.can_connect(open, Duration::from_secs(2)));
        drop(listener);
        assert!(!SystemNetwork.can_connect(open, Duration::from_secs(2)));
        let found = SystemNetwork.lookup("127.0.0.1", 80).unwrap();
        assert_eq!(found, [SocketAddr::from(([127, 0, 0, 1], 80))]);
    }
}
