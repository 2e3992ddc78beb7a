//! Jinja2's `urlize(trim_url_limit=None, nofollow=False, target=None,
//! rel=None, extra_schemes=None)` (`jinja2.utils.urlize` with the default
//! policies: `rel="noopener"`): `http(s)://`, `www.`, bare `.com`-style
//! domains, `mailto:` and e-mail addresses become links; the text is
//! HTML-escaped first, leading `(`/`<` and trailing `).,>` stay outside.

use std::sync::LazyLock;

use minijinja::value::{Rest, ValueOrKwargs};
use minijinja::{Error, Value};
use regex::Regex;

use super::{bind, html_escape, opt_int, py_str};

static HTTP_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        ^(
            (https?://|www\.)(([\w%-]+\.)+)?([a-z]{2,63}|xn--[\w%]{2,59})
          | ([\w%-]{2,63}\.)+(com|net|int|edu|gov|org|info|mil)
          | (https?://)((([\d]{1,3})(\.[\d]{1,3}){3})|(\[([\da-f]{0,4}:){2}([\da-f]{0,4}:?){1,6}\]))
        )
        (?::[\d]{1,5})?
        (?:[/?\#]\S*)?
        $",
    )
    .expect("valid regex")
});
static EMAIL_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\S+@\w[\w.-]*\.\w+$").expect("valid regex"));
static HEAD_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:[(<]|&lt;)+").expect("valid regex"));
static TAIL_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:[)>.,\n]|&gt;)+$").expect("valid regex"));
static SCHEME_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\w.+-]{2,}:/{0,2}$").expect("valid regex"));

struct Opts {
    trim: Option<usize>,
    attrs: String,
    schemes: Vec<String>,
}

/// Python's `re.split(r"(\s+)", text)`: words and the whitespace between.
fn split_words(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_ws = None;
    for (i, c) in text.char_indices() {
        let ws = c.is_whitespace();
        if in_ws.is_some_and(|w| w != ws) {
            out.push(&text[start..i]);
            start = i;
        }
        in_ws = Some(ws);
    }
    out.push(&text[start..]);
    out
}

fn link(word: &str, o: &Opts) -> String {
    let (mut head, mut middle, mut tail) = ("", word.to_string(), String::new());
    if let Some(m) = HEAD_RE.find(word) {
        head = m.as_str();
        middle = word[m.end()..].to_string();
    }
    if let Some(m) = TAIL_RE.find(&middle.clone()) {
        tail = m.as_str().to_string();
        middle.truncate(m.start());
    }
    for (open, close) in [("(", ")"), ("<", ">"), ("&lt;", "&gt;")] {
        let opens = middle.matches(open).count();
        if opens <= middle.matches(close).count() {
            continue;
        }
        for _ in 0..opens.min(tail.matches(close).count()) {
            let Some(at) = tail.find(close) else { break };
            let end = at + close.len();
            middle.push_str(&tail[..end]);
            tail = tail[end..].to_string();
        }
    }
    let shown = |x: &str| match o.trim {
        Some(n) if x.chars().count() > n => format!("{}...", x.chars().take(n).collect::<String>()),
        _ => x.to_string(),
    };
    let a = &o.attrs;
    let middle = if HTTP_RE.is_match(&middle) {
        if middle.starts_with("https://") || middle.starts_with("http://") {
            format!("<a href=\"{middle}\"{a}>{}</a>", shown(&middle))
        } else {
            format!("<a href=\"https://{middle}\"{a}>{}</a>", shown(&middle))
        }
    } else if let Some(addr) = middle
        .strip_prefix("mailto:")
        .filter(|m| EMAIL_RE.is_match(m))
    {
        format!("<a href=\"{middle}\">{addr}</a>")
    } else if middle.contains('@')
        && !middle.starts_with("www.")
        && !middle.starts_with('@')
        && !middle.contains(':')
        && EMAIL_RE.is_match(&middle)
    {
        format!("<a href=\"mailto:{middle}\">{middle}</a>")
    } else {
        let mut m = middle;
        for scheme in &o.schemes {
            if m != *scheme && m.starts_with(scheme.as_str()) {
                m = format!("<a href=\"{m}\"{a}>{m}</a>");
            }
        }
        m
    };
    format!("{head}{middle}{tail}")
}

/// `urlize(trim_url_limit=None, nofollow=False, target=None, rel=None, extra_schemes=None)`.
pub fn urlize(value: Value, args: Rest<ValueOrKwargs>) -> Result<String, Error> {
    let a = bind(
        "do_urlize",
        &args,
        &[
            "trim_url_limit",
            "nofollow",
            "target",
            "rel",
            "extra_schemes",
        ],
    )?;
    let given = |i: usize| a[i].as_ref().filter(|v| !v.is_none());
    let trim = match given(0) {
        Some(_) => Some(opt_int(&a[0], 0)?.max(0) as usize),
        None => None,
    };
    let mut rel: Vec<String> = given(3)
        .map(|v| py_str(v).split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    if a[1].as_ref().is_some_and(Value::is_true) {
        rel.push("nofollow".into());
    }
    rel.push("noopener".into());
    rel.sort();
    rel.dedup();
    let mut attrs = format!(" rel=\"{}\"", html_escape(&rel.join(" ")));
    if let Some(target) = given(2).filter(|v| v.is_true()) {
        attrs.push_str(&format!(" target=\"{}\"", html_escape(&py_str(target))));
    }
    let mut schemes = Vec::new();
    if let Some(list) = given(4) {
        for s in list.try_iter()? {
            let s = py_str(&s);
            if !SCHEME_RE.is_match(&s) {
                // Jinja2's FilterArgumentError, which Salt words as a syntax error
                return Err(Error::new(
                    minijinja::ErrorKind::SyntaxError,
                    format!(
                        "{} is not a valid URI scheme prefix.",
                        crate::pyfmt::repr(&serde_json::Value::String(s))
                    ),
                ));
            }
            schemes.push(s);
        }
    }
    let o = Opts {
        trim,
        attrs,
        schemes,
    };
    let text = html_escape(&py_str(&value));
    Ok(split_words(&text)
        .into_iter()
        .map(|w| link(w, &o))
        .collect())
}
