//! Salt 3008.4's `salt.utils.http.query` on its default (tornado) backend,
//! the common path: shared by the `http_query` Jinja filter and the
//! `http.query` execution function. The request goes through
//! [`halite_api::Network`]; this module builds it and shapes the answer as
//! Salt does:
//!
//! * success: `{'body': text}`, then `status` (`status=True`), `headers`
//!   (`headers=True`, names as tornado's `HTTPHeaders` spell them),
//!   `dict` (`decode=True`: json, yaml, xml, or by the content type with
//!   `decode_type='auto'`), `text` (`text=True`, or `decode_type='plain'`);
//! * an HTTP error status: `{'status': code, 'error': 'HTTP 404: Not Found',
//!   'body': text}` (whatever `status`/`headers`/`text` say);
//! * no answer: `{'error': '[Errno 111] Connection refused'}` (`status: 0`
//!   first with `status=True`); a timeout is tornado's status 599.
//!
//! Arguments Salt accepts that are not ported (cookies, files, streaming,
//! other backends) are refused with [`QueryError::Unsupported`]
//! rather than ignored.

use halite_api::value::is_truthy;
use halite_api::{HttpError, HttpResponse, Map, Network, Value};

/// Keyword arguments of `salt.utils.http.query` Halite does not port.
const NOT_PORTED: [&str; 26] = [
    "data_file",
    "header_file",
    "cookies",
    "cookie_jar",
    "cookie_format",
    "persist_session",
    "session_cookie_jar",
    "data_render",
    "data_renderer",
    "header_render",
    "header_renderer",
    "template_dict",
    "backend",
    "ca_bundle",
    "cert",
    "text_out",
    "headers_out",
    "decode_out",
    "stream",
    "streaming_callback",
    "header_callback",
    "handle",
    "formdata",
    "formdata_fieldname",
    "formdata_filename",
    "decode_body",
];

/// Salt's parameters after `url`, in order (positional arguments of the
/// Jinja filter map onto them).
pub const PARAMETERS: [&str; 48] = [
    "method",
    "params",
    "data",
    "data_file",
    "header_dict",
    "header_list",
    "header_file",
    "username",
    "password",
    "auth",
    "decode",
    "decode_type",
    "status",
    "headers",
    "text",
    "cookies",
    "cookie_jar",
    "cookie_format",
    "persist_session",
    "session_cookie_jar",
    "data_render",
    "data_renderer",
    "header_render",
    "header_renderer",
    "template_dict",
    "test",
    "test_url",
    "node",
    "port",
    "opts",
    "backend",
    "ca_bundle",
    "verify_ssl",
    "cert",
    "text_out",
    "headers_out",
    "decode_out",
    "stream",
    "streaming_callback",
    "header_callback",
    "handle",
    "agent",
    "hide_fields",
    "raise_error",
    "formdata",
    "formdata_fieldname",
    "formdata_filename",
    "decode_body",
];

/// A query Halite cannot make as Salt would.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("http.query: '{0}' is not supported by Halite")]
    Unsupported(String),
    #[error("{0}")]
    Decode(String),
}

/// `salt.utils.http.query(url, **kwargs)` with `opts` the minion's options
/// (`verify_ssl`, `http_connect_timeout`, `http_request_timeout`).
pub fn query(net: &dyn Network, opts: &Map, url: &str, kwargs: &Map) -> Result<Map, QueryError> {
    check_kwargs(kwargs, opts)?;
    let args = Args(kwargs);
    if args.flag("test") {
        return test_mode(net, opts, url, &args);
    }
    send(net, opts, url, &args, Map::new())
}

fn check_kwargs(kwargs: &Map, opts: &Map) -> Result<(), QueryError> {
    for (key, value) in kwargs {
        let defaults_off =
            key != "decode_body" && (value.is_null() || *value == Value::Bool(false));
        if NOT_PORTED.contains(&key.as_str()) && !defaults_off && !is_default(key, value) {
            return Err(QueryError::Unsupported(key.clone()));
        }
    }
    if opts.get("proxy_host").is_some_and(is_truthy)
        && opts.get("proxy_port").is_some_and(is_truthy)
    {
        return Err(QueryError::Unsupported("proxy_host".into()));
    }
    Ok(())
}

/// Values of unported arguments that are their defaults (so harmless).
fn is_default(key: &str, value: &Value) -> bool {
    match key {
        "backend" => value.as_str() == Some("tornado"),
        "cookie_format" => value.as_str() == Some("lwp"),
        "decode_body" => value.is_null() || *value == Value::Bool(true),
        _ => false,
    }
}

/// The keyword arguments, read with Python's truthiness.
pub(crate) struct Args<'a>(&'a Map);

impl Args<'_> {
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }
    pub(crate) fn flag(&self, key: &str) -> bool {
        self.get(key) == Some(&Value::Bool(true))
    }
    pub(crate) fn str_or(&self, key: &str, default: &str) -> String {
        self.get(key)
            .map_or(default.to_string(), halite_api::py::str_of)
    }
}

/// `test=True`: `{}` without a `test_url`, else `'test': True` first and
/// the query itself: Salt sets `url = test_url` after it has built the
/// URL it fetches, so the original URL is the one queried.
fn test_mode(net: &dyn Network, opts: &Map, url: &str, args: &Args) -> Result<Map, QueryError> {
    if args.get("test_url").is_none() {
        return Ok(Map::new());
    }
    let mut ret = Map::new();
    ret.insert("test".into(), Value::Bool(true));
    send(net, opts, url, args, ret)
}

fn send(
    net: &dyn Network,
    opts: &Map,
    url: &str,
    args: &Args,
    mut ret: Map,
) -> Result<Map, QueryError> {
    let request = crate::http_request::build_request(opts, url, args);
    let status = args.flag("status");
    let response = match net.http(&request) {
        Ok(response) => response,
        Err(HttpError::Timeout(when)) => {
            ret.insert("status".into(), 599.into());
            ret.insert("error".into(), format!("Timeout {when}").into());
            return Ok(ret);
        }
        Err(e) => {
            if status {
                ret.insert("status".into(), 0.into());
            }
            ret.insert("error".into(), os_error_text(&e).into());
            return Ok(ret);
        }
    };
    let raise_error = args.get("raise_error") != Some(&Value::Bool(false));
    if raise_error && !(200..300).contains(&response.status) {
        ret.insert("status".into(), response.status.into());
        let error = format!("HTTP {}: {}", response.status, response.reason);
        ret.insert("error".into(), error.into());
        ret.insert("body".into(), body_text(&response).into());
        return Ok(ret);
    }
    answer(&response, args, ret)
}

/// What Python's `str(OSError)` shows: `[Errno 111] Connection refused`.
fn os_error_text(e: &HttpError) -> String {
    match e {
        HttpError::Io(io) => match io.raw_os_error() {
            Some(code) => {
                let text = io.to_string();
                let suffix = format!(" (os error {code})");
                format!("[Errno {code}] {}", text.trim_end_matches(&suffix))
            }
            None => io.to_string(),
        },
        other => other.to_string(),
    }
}

fn answer(response: &HttpResponse, args: &Args, mut ret: Map) -> Result<Map, QueryError> {
    let body = body_text(response);
    ret.insert("body".into(), body.clone().into());
    if args.flag("status") {
        ret.insert("status".into(), response.status.into());
    }
    let headers = tornado_headers(&response.headers);
    if args.flag("headers") {
        ret.insert("headers".into(), Value::Object(headers.clone()));
    }
    let mut text = args.flag("text");
    if args.flag("decode") {
        match decode_type(args, &headers)?.as_str() {
            "json" => {
                let data = serde_json::from_str(&body)
                    .map_err(|e| QueryError::Decode(format!("Could not parse JSON: {e}")))?;
                ret.insert("dict".into(), data);
            }
            "yaml" => {
                let data =
                    crate::yaml::load(&body).map_err(|e| QueryError::Decode(e.to_string()))?;
                ret.insert("dict".into(), data);
            }
            "plain" => text = true,
            "xml" => {
                let data = crate::http_xml::decode(&body).map_err(QueryError::Decode)?;
                ret.insert("dict".into(), data);
            }
            _ => {
                let error = "Invalid decode_type specified. Valid decode types are: \
                             ('json', 'xml', 'yaml', 'plain')";
                ret.insert("error".into(), error.into());
                return Ok(ret);
            }
        }
    }
    if text {
        ret.insert("text".into(), body.into());
    }
    Ok(ret)
}

/// `decode_type`, with `auto` read off the content type (json when none).
fn decode_type(args: &Args, headers: &Map) -> Result<String, QueryError> {
    let wanted = args.str_or("decode_type", "auto");
    if wanted != "auto" {
        return Ok(wanted);
    }
    let content_type = header(headers, "content-type").unwrap_or("application/json");
    Ok(["xml", "json", "yaml"]
        .into_iter()
        .find(|kind| content_type.contains(kind))
        .unwrap_or("plain")
        .to_string())
}

/// A header by name, case-insensitively (as `HTTPHeaders.get`).
fn header<'a>(headers: &'a Map, name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str())
}

/// The body as text (UTF-8; invalid bytes replaced).
fn body_text(response: &HttpResponse) -> String {
    String::from_utf8_lossy(&response.body).into_owned()
}

/// Response headers as tornado's `HTTPHeaders` holds them: names
/// normalised (`Content-Type`), repeated names joined with `,`.
fn tornado_headers(headers: &[(String, String)]) -> Map {
    let mut out = Map::new();
    for (name, value) in headers {
        let name = normalize_header(name);
        match out.get_mut(&name) {
            Some(Value::String(prev)) => {
                prev.push(',');
                prev.push_str(value);
            }
            _ => {
                out.insert(name, value.clone().into());
            }
        }
    }
    out
}

/// tornado's `_normalize_header`: each `-`-separated word capitalised.
pub(crate) fn normalize_header(name: &str) -> String {
    name.split('-')
        .map(crate::jinja::filters_text::capitalize)
        .collect::<Vec<String>>()
        .join("-")
}

#[cfg(test)]
#[path = "http_query_tests.rs"]
mod tests;
