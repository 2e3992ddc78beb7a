//! Source rewrite run before minijinja compiles a Salt template. Line numbers are
//! preserved (no newlines are added or removed).
//!
//! * List and dict literals in expressions become `__list([...])` / `__dict({...})`
//!   so `{% do x.append(1) %}` can mutate them.
//! * Salt's tags become plain Jinja: `{% import_yaml f as x %}` →
//!   `{% set x = __import_yaml(f) %}` (also `import_json`, `import_text`);
//!   `{% load_yaml as x %}...{% endload %}` → a block `set` then
//!   `{% set x = __load_yaml(x) %}` (also `load_json`, `load_text`);
//!   `{% profile %}`/`{% endprofile %}` → `{% if true %}`/`{% endif %}`.

/// Rewrite a whole template.
#[allow(clippy::manual_strip)] // byte offsets into `tail` are reused below
pub fn rewrite(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut loads: Vec<(String, String)> = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find('{') {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        if tail.starts_with("{#") {
            let end = tail.find("#}").map_or(tail.len(), |e| e + 2);
            out.push_str(&tail[..end]);
            rest = &tail[end..];
        } else if tail.starts_with("{{") {
            let end = expression_end(&tail[2..], "}}").map_or(tail.len(), |e| e + 2);
            let body = &tail[2..end.saturating_sub(2).max(2)];
            out.push_str("{{");
            out.push_str(&rewrite_expr(body));
            out.push_str(&tail[end.saturating_sub(2).max(2)..end]);
            rest = &tail[end..];
        } else if tail.starts_with("{%") {
            let end = expression_end(&tail[2..], "%}").map_or(tail.len(), |e| e + 2);
            let inner_end = end.saturating_sub(2).max(2);
            let body = &tail[2..inner_end];
            if is_raw(body) {
                let close = find_endraw(tail).unwrap_or(tail.len());
                out.push_str(&tail[..close]);
                rest = &tail[close..];
                continue;
            }
            out.push_str("{%");
            out.push_str(&rewrite_tag(body, &mut loads));
            out.push_str(&tail[inner_end..end]);
            rest = &tail[end..];
        } else {
            out.push('{');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

fn is_raw(body: &str) -> bool {
    body.trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace()) == "raw"
}

fn find_endraw(tail: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = tail[from..].find("{%") {
        let start = from + p;
        let close = tail[start..].find("%}")? + start + 2;
        if tail[start + 2..close - 2]
            .trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace())
            == "endraw"
        {
            return Some(close);
        }
        from = close;
    }
    None
}

/// Index just past the closing delimiter in `s` (which starts after the opener),
/// skipping strings and nested braces.
fn expression_end(s: &str, close: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut depth = 0i32;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\'' || c == b'"' {
            i = skip_string(bytes, i);
            continue;
        }
        if depth <= 0 && s[i..].starts_with(close) {
            return Some(i + close.len());
        }
        match c {
            b'{' | b'[' | b'(' => depth += 1,
            b'}' | b']' | b')' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Index after the string literal starting at `start`.
fn skip_string(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Rewrite the inside of a `{% ... %}` tag.
fn rewrite_tag(body: &str, loads: &mut Vec<(String, String)>) -> String {
    let lead_len = body.len() - body.trim_start_matches(['-', '+']).trim_start().len();
    let trail_len = body.len() - body.trim_end_matches(['-', '+']).trim_end().len();
    if lead_len + trail_len >= body.len() {
        return body.to_string();
    }
    let (lead, inner, trail) = (
        &body[..lead_len],
        &body[lead_len..body.len() - trail_len],
        &body[body.len() - trail_len..],
    );
    let mut words = inner.split_whitespace();
    let keyword = words.next().unwrap_or_default();
    let new_inner = match keyword {
        "import_yaml" | "import_json" | "import_text" => import_tag(keyword, inner),
        "load_yaml" | "load_json" | "load_text" => {
            let name = inner
                .rsplit(char::is_whitespace)
                .next()
                .unwrap_or_default()
                .to_string();
            loads.push((keyword["load_".len()..].to_string(), name.clone()));
            Some(format!("set {name}"))
        }
        "endload" => loads
            .pop()
            .map(|(kind, name)| format!("endset %}}{{% set {name} = __load_{kind}({name})")),
        "profile" => Some("if true".to_string()),
        "endprofile" => Some("endif".to_string()),
        _ => None,
    };
    match new_inner {
        Some(s) => format!("{lead}{s}{trail}"),
        None => format!("{lead}{}{trail}", rewrite_expr(inner)),
    }
}

/// `import_yaml <expr> as <name>` → `set <name> = __import_yaml(<expr>)`.
fn import_tag(keyword: &str, inner: &str) -> Option<String> {
    let rest = inner[keyword.len()..].trim();
    let (source, name) = rest.rsplit_once(" as ")?;
    let kind = &keyword["import_".len()..];
    Some(format!(
        "set {} = __import_{kind}({})",
        name.trim(),
        rewrite_expr(source.trim())
    ))
}

const KEYWORDS: &[&str] = &[
    "in", "and", "or", "not", "if", "else", "is", "for", "set", "do", "return", "elif", "with",
];

#[derive(PartialEq)]
enum Open {
    List,
    Dict,
    Other,
}

/// Wrap list and dict literals of one expression in `__list(...)`/`__dict(...)`.
pub fn rewrite_expr(expr: &str) -> String {
    let bytes = expr.as_bytes();
    let mut out = String::with_capacity(expr.len() + 16);
    let mut stack: Vec<Open> = Vec::new();
    let mut prev_operand = false;
    let mut prev_string = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\'' || c == b'"' {
            let end = skip_string(bytes, i);
            out.push_str(&expr[i..end]);
            i = end;
            prev_operand = true;
            prev_string = true;
            continue;
        }
        // Python's `'fmt' % args` on a string literal: `'fmt' | __pyformat(args)`
        if c == b'%' && prev_string {
            let end = operand_end(bytes, i + 1);
            out.push_str("| __pyformat(");
            out.push_str(&rewrite_expr(&expr[i + 1..end]));
            out.push(')');
            i = end;
            prev_operand = true;
            prev_string = false;
            continue;
        }
        if !c.is_ascii_whitespace() {
            prev_string = false;
        }
        if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 {
            let start = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] >= 0x80)
            {
                i += 1;
            }
            let word = &expr[start..i];
            out.push_str(word);
            prev_operand = !KEYWORDS.contains(&word);
            continue;
        }
        match c {
            b'[' if !prev_operand => {
                stack.push(Open::List);
                out.push_str("__list([");
            }
            b'{' => {
                stack.push(Open::Dict);
                out.push_str("__dict({");
            }
            b'[' | b'(' => {
                stack.push(Open::Other);
                out.push(c as char);
            }
            b']' | b'}' | b')' => {
                out.push(c as char);
                if matches!(stack.pop(), Some(Open::List | Open::Dict)) {
                    out.push(')');
                }
            }
            _ => out.push(c as char),
        }
        if !c.is_ascii_whitespace() {
            prev_operand = matches!(c, b']' | b'}' | b')' | b'.');
        }
        i += 1;
    }
    out
}

/// Where the right operand of `%` ends: one primary (a literal, a name, a
/// parenthesised or bracketed group) with its trailers (`.attr`, `[i]`,
/// `(args)`) and filters (`| f(args)`), which all bind tighter than `%`.
fn operand_end(bytes: &[u8], start: usize) -> usize {
    let skip_ws = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    let group_end = |i: usize| {
        let mut depth = 0usize;
        let mut j = i;
        while j < bytes.len() {
            match bytes[j] {
                b'\'' | b'"' => {
                    j = skip_string(bytes, j);
                    continue;
                }
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return j + 1;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        bytes.len()
    };
    let word_end = |mut i: usize| {
        while i < bytes.len()
            && (bytes[i].is_ascii_alphanumeric()
                || bytes[i] == b'_'
                || bytes[i] == b'.'
                || bytes[i] >= 0x80)
        {
            i += 1;
        }
        i
    };
    let mut i = skip_ws(start);
    if i >= bytes.len() {
        return i;
    }
    i = match bytes[i] {
        b'\'' | b'"' => skip_string(bytes, i),
        b'(' | b'[' | b'{' => group_end(i),
        b'-' => word_end(i + 1),
        _ => word_end(i),
    };
    loop {
        let j = skip_ws(i);
        match bytes.get(j) {
            Some(b'(' | b'[') if j == i => i = group_end(j),
            Some(b'.') => i = word_end(j + 1),
            Some(b'|') if bytes.get(j + 1) != Some(&b'|') => {
                let k = word_end(skip_ws(j + 1));
                i = if bytes.get(k) == Some(&b'(') {
                    group_end(k)
                } else {
                    k
                };
            }
            _ => return i,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_formatting_of_string_literals() {
        assert_eq!(
            rewrite("{{ '%s-%s' % (a, 2) }}"),
            "{{ '%s-%s' | __pyformat( (a, 2)) }}"
        );
        assert_eq!(
            rewrite("{{ \"%(a)s\" % d ~ 'x' }}"),
            "{{ \"%(a)s\" | __pyformat( d) ~ 'x' }}"
        );
        assert_eq!(
            rewrite("{{ '%s' % x.y['z'] | upper }}"),
            "{{ '%s' | __pyformat( x.y['z'] | upper) }}"
        );
        assert_eq!(rewrite("{{ a % 2 }}"), "{{ a % 2 }}");
        assert_eq!(
            rewrite("{{ '%d%%' % [1] }}"),
            "{{ '%d%%' | __pyformat( __list([1])) }}"
        );
    }

    #[test]
    fn literals_are_wrapped_but_subscripts_are_not() {
        assert_eq!(rewrite("{% set x = [] %}"), "{% set x = __list([]) %}");
        assert_eq!(rewrite("{{ a['k'][0] }}"), "{{ a['k'][0] }}");
        assert_eq!(
            rewrite("{{ {'a': [1]} }}"),
            "{{ __dict({'a': __list([1])}) }}"
        );
        assert_eq!(
            rewrite("{% for x in [1, 2] %}"),
            "{% for x in __list([1, 2]) %}"
        );
        assert_eq!(rewrite("{{ f(['x']) }}"), "{{ f(__list(['x'])) }}");
        assert_eq!(rewrite("{{ 'a[b' }} {# [c] #}"), "{{ 'a[b' }} {# [c] #}");
    }

    #[test]
    fn salt_tags_become_jinja() {
        assert_eq!(
            rewrite("{% import_yaml 'a.yaml' as d %}"),
            "{% set d = __import_yaml('a.yaml') %}"
        );
        assert_eq!(
            rewrite("{%- load_yaml as v %}\na: 1\n{% endload -%}"),
            "{%- set v %}\na: 1\n{% endset %}{% set v = __load_yaml(v) -%}"
        );
    }

    #[test]
    fn raw_blocks_are_untouched() {
        let t = "{% raw %}{{ [1] }}{% endraw %}{{ [2] }}";
        assert_eq!(
            rewrite(t),
            "{% raw %}{{ [1] }}{% endraw %}{{ __list([2]) }}"
        );
    }
}
