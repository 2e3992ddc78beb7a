//! `http.query`'s port over a fake network: the request it sends and the
//! shapes it returns, as salt-call 3008.4 returned them for the same
//! answers of tests/formula-corpus/http-server.py.

use std::sync::Mutex;

use halite_api::{HttpError, HttpRequest, HttpResponse, Map, Network};
use serde_json::json;

use super::{query, QueryError};

/// Answers every request with `answer` and keeps the requests.
struct FakeHttp {
    answer: fn() -> Result<HttpResponse, HttpError>,
    sent: Mutex<Vec<HttpRequest>>,
}

impl Network for FakeHttp {
    fn lookup(&self, _: &str, _: u16) -> std::io::Result<Vec<std::net::SocketAddr>> {
        unreachable!("http.query resolves through its client")
    }
    fn can_connect(&self, _: std::net::SocketAddr, _: std::time::Duration) -> bool {
        unreachable!()
    }
    fn http(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        self.sent.lock().unwrap().push(request.clone());
        (self.answer)()
    }
}

fn response(status: u16, reason: &str, ctype: &str, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        reason: reason.into(),
        headers: vec![
            ("server".into(), "halite-test".into()),
            ("content-type".into(), ctype.into()),
            ("x-multi".into(), "a".into()),
            ("x-multi".into(), "b".into()),
        ],
        body: body.as_bytes().to_vec(),
    }
}

fn json_ok() -> Result<HttpResponse, HttpError> {
    Ok(response(
        200,
        "OK",
        "application/json",
        r#"{"a": [1, "x"]}"#,
    ))
}

fn run(
    answer: fn() -> Result<HttpResponse, HttpError>,
    kwargs: serde_json::Value,
) -> (Map, HttpRequest) {
    let net = FakeHttp {
        answer,
        sent: Mutex::new(Vec::new()),
    };
    let opts = json!({"http_connect_timeout": 5})
        .as_object()
        .unwrap()
        .clone();
    let ret = query(
        &net,
        &opts,
        "http://127.0.0.1:18471/echo?q=1",
        kwargs.as_object().unwrap(),
    )
    .unwrap();
    let sent = net.sent.lock().unwrap().pop().unwrap();
    (ret, sent)
}

#[test]
fn the_request_salt_sends() {
    let (_, sent) = run(
        json_ok,
        json!({"method": "POST", "params": {"a": 1, "b": "x y"}, "data": {"k": "v", "n": 2},
               "header_dict": {"x-test": "one"}, "header_list": ["X-Test: two:three", "bad"],
               "username": "user", "password": "pw"}),
    );
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.url, "http://127.0.0.1:18471/echo?q=1&a=1&b=x+y");
    assert_eq!(sent.body.as_deref(), Some(&b"k=v&n=2"[..]));
    assert_eq!(
        sent.headers,
        [
            ("X-Test".to_string(), "two".to_string()),
            ("User-Agent".into(), "Salt/3008.4 http.query()".into()),
            ("Connection".into(), "close".into()),
            ("Authorization".into(), "Basic dXNlcjpwdw==".into()),
            (
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into()
            ),
        ]
    );
    assert!(sent.verify_ssl);
    assert_eq!(sent.connect_timeout.as_secs(), 5);
    assert_eq!(sent.request_timeout.as_secs(), 3600);
    let (_, sent) = run(
        json_ok,
        json!({"verify_ssl": false, "agent": "custom/1", "data": "raw"}),
    );
    assert!(!sent.verify_ssl);
    assert_eq!(sent.method, "GET");
    assert_eq!(sent.body.as_deref(), Some(&b"raw"[..]));
    assert_eq!(sent.headers[0], ("User-Agent".into(), "custom/1".into()));
}

#[test]
fn success_shapes() {
    let (ret, _) = run(json_ok, json!({}));
    assert_eq!(json!(ret), json!({"body": "{\"a\": [1, \"x\"]}"}));
    let (ret, _) = run(
        json_ok,
        json!({"status": true, "headers": true, "decode": true, "text": true}),
    );
    assert_eq!(
        serde_json::to_string(&ret).unwrap(),
        r#"{"body":"{\"a\": [1, \"x\"]}","status":200,"headers":{"Server":"halite-test","Content-Type":"application/json","X-Multi":"a,b"},"dict":{"a":[1,"x"]},"text":"{\"a\": [1, \"x\"]}"}"#
    );
    let (ret, _) = run(json_ok, json!({"decode": true, "decode_type": "plain"}));
    assert_eq!(
        json!(ret),
        json!({"body": "{\"a\": [1, \"x\"]}", "text": "{\"a\": [1, \"x\"]}"})
    );
    let (ret, _) = run(json_ok, json!({"decode": true, "decode_type": "csv"}));
    assert_eq!(
        ret["error"],
        "Invalid decode_type specified. Valid decode types are: ('json', 'xml', 'yaml', 'plain')"
    );
    let (ret, _) = run(
        || {
            Ok(response(
                200,
                "OK",
                "application/x-yaml",
                "ports:\n  - 0644\n",
            ))
        },
        json!({"decode": true}),
    );
    assert_eq!(ret["dict"], json!({"ports": [644]}));
}

#[test]
fn error_shapes() {
    let (ret, _) = run(
        || Ok(response(404, "Not Found", "text/plain", "no such page")),
        json!({"headers": true, "text": true}),
    );
    assert_eq!(
        serde_json::to_string(&ret).unwrap(),
        r#"{"status":404,"error":"HTTP 404: Not Found","body":"no such page"}"#
    );
    let (ret, _) = run(
        || Ok(response(404, "Not Found", "text/plain", "no such page")),
        json!({"raise_error": false, "status": true}),
    );
    assert_eq!(json!(ret), json!({"body": "no such page", "status": 404}));
    let refused = || Err(HttpError::Io(std::io::Error::from_raw_os_error(111)));
    let (ret, _) = run(refused, json!({}));
    assert_eq!(
        json!(ret),
        json!({"error": "[Errno 111] Connection refused"})
    );
    let (ret, _) = run(refused, json!({"status": true}));
    assert_eq!(
        serde_json::to_string(&ret).unwrap(),
        r#"{"status":0,"error":"[Errno 111] Connection refused"}"#
    );
    let (ret, _) = run(|| Err(HttpError::Timeout("while connecting")), json!({}));
    assert_eq!(
        json!(ret),
        json!({"status": 599, "error": "Timeout while connecting"})
    );
}

#[test]
fn test_mode_and_unported_arguments() {
    let net = FakeHttp {
        answer: json_ok,
        sent: Mutex::new(Vec::new()),
    };
    let kwargs = json!({"test": true}).as_object().unwrap().clone();
    assert_eq!(
        query(&net, &Map::new(), "http://h/", &kwargs).unwrap(),
        Map::new()
    );
    assert!(net.sent.lock().unwrap().is_empty());
    let kwargs = json!({"test": true, "test_url": "http://other/"})
        .as_object()
        .unwrap()
        .clone();
    let ret = query(&net, &Map::new(), "http://h/", &kwargs).unwrap();
    assert_eq!(ret["test"], true);
    assert_eq!(net.sent.lock().unwrap()[0].url, "http://h/");
    for kwargs in [
        json!({"cookies": true}),
        json!({"backend": "requests"}),
        json!({"decode_body": false}),
    ] {
        let err = query(&net, &Map::new(), "http://h/", kwargs.as_object().unwrap()).unwrap_err();
        assert!(matches!(err, QueryError::Unsupported(_)), "{err}");
    }
    let fine = json!({"backend": "tornado", "decode_body": true, "cookies": null});
    assert!(query(&net, &Map::new(), "http://h/", fine.as_object().unwrap()).is_ok());
}
