//! The request `http.query` sends (salt/utils/http.py with tornado's
//! additions): the URL with `params` (`url_concat`), the body (`data`, a
//! dict form-encoded), headers from `header_dict`, `header_list`, the user
//! agent, then what tornado's client adds (`Connection: close`, basic auth,
//! the POST content type), `verify_ssl` and the timeouts from the options.

use std::time::Duration;

use base64::Engine;
use halite_api::{HttpRequest, Map, Value};

use halite_api::value::is_truthy;

use crate::http_query::{normalize_header, Args};

/// Salt's user agent for `http.query`.
const USER_AGENT: &str = "Salt/3008.4 http.query()";

pub(crate) fn build_request(opts: &Map, url: &str, args: &Args) -> HttpRequest {
    let method = args.str_or("method", "GET");
    let url = match args.get("params") {
        Some(params) if is_truthy(params) => crate::http_url::url_concat(url, params),
        _ => url.to_string(),
    };
    let body = args.get("data").map(|data| match data {
        Value::Object(map) => crate::http_url::urlencode(map.iter().map(|(k, v)| (k.clone(), v))),
        other => halite_api::py::str_of(other),
    });
    let headers = request_headers(args, &method, url_userinfo(&url));
    let verify_ssl = match args.get("verify_ssl") {
        Some(v) => is_truthy(v),
        None => opts.get("verify_ssl").is_none_or(is_truthy),
    };
    HttpRequest {
        method,
        url,
        headers,
        body: body.map(String::into_bytes),
        verify_ssl,
        connect_timeout: seconds(opts, "http_connect_timeout", 20.0),
        request_timeout: seconds(opts, "http_request_timeout", 3600.0),
    }
}

fn seconds(opts: &Map, key: &str, default: f64) -> Duration {
    let secs = opts.get(key).and_then(Value::as_f64).unwrap_or(default);
    Duration::from_secs_f64(secs.max(0.0))
}

/// `user:password` of the URL as written (not unquoted), which tornado
/// prefers to `username`.
fn url_userinfo(url: &str) -> Option<(String, String)> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let (userinfo, _) = authority.rsplit_once('@')?;
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    Some((user.to_string(), password.to_string()))
}

/// `header_dict`, then `header_list` (`Name: value`, the text after a
/// second `:` dropped, as Salt splits), `User-agent`, then what tornado
/// adds: `Connection: close`, basic auth, the POST content type.
fn request_headers(
    args: &Args,
    method: &str,
    userinfo: Option<(String, String)>,
) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut set = |name: &str, value: String| match headers
        .iter_mut()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
    {
        Some(slot) => slot.1 = value,
        None => headers.push((normalize_header(name), value)),
    };
    if let Some(Value::Object(dict)) = args.get("header_dict") {
        for (name, value) in dict {
            set(name, halite_api::py::str_of(value));
        }
    }
    if let Some(Value::Array(list)) = args.get("header_list") {
        for line in list.iter().map(halite_api::py::str_of) {
            let comps: Vec<&str> = line.split(':').collect();
            if comps.len() >= 2 {
                set(comps[0].trim(), comps[1].trim().to_string());
            }
        }
    }
    let agent = args.str_or("agent", "Salt/3008.4");
    let agent = if agent == "Salt/3008.4" {
        USER_AGENT.to_string()
    } else {
        agent
    };
    set("User-agent", agent);
    set("Connection", "close".into());
    let auth = userinfo.or_else(|| {
        let user = args.get("username")?;
        let password = args.get("password").map(halite_api::py::str_of);
        Some((halite_api::py::str_of(user), password.unwrap_or_default()))
    });
    if let Some((user, password)) = auth {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        set("Authorization", format!("Basic {token}"));
    }
    if method == "POST"
        && !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
    }
    headers
}
