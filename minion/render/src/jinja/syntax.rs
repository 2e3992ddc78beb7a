//! minijinja's expression-level syntax errors in Jinja2's parser words, so
//! the `Jinja syntax error: ...` Salt users grep for reads as under Salt:
//!
//! | minijinja | Jinja2 |
//! |---|---|
//! | `unexpected end of input, expected end of variable block` | `unexpected end of template, expected 'end of print statement'.` |
//! | `unexpected end of input, expected expression` | `unexpected 'end of template'` |
//! | `unexpected X, expected identifier` | `expected token 'name', got 'X'` |
//! | `unexpected X, expected identifier or integer` | `expected name or number` |
//! | `unexpected X, expected Y` | `expected token 'Y', got 'X'` |
//! | `unexpected X` where an expression should start | `Expected an expression, got 'X'` |
//! | `unexpected X` | `unexpected 'X'` |
//!
//! Token names follow Jinja2's `describe_token`: `end of print statement`,
//! `end of statement block`, `end of template`, an operator's own text, a
//! name's own text, `integer`, `float`, `string`. Lexer-level errors
//! (brackets, stray characters) come from [`super::lexer`] first.

/// Jinja2's text for minijinja's syntax error `detail`; `source` is the
/// compiled template text and `at` the byte offset of the failing token.
pub fn jinja2_text(detail: &str, source: &str, at: Option<usize>) -> Option<String> {
    let rest = detail.strip_prefix("unexpected ")?;
    let (found, expected) = match rest.split_once(", expected ") {
        Some((f, e)) => (f, Some(e)),
        None => (rest, None),
    };
    let got = describe(found, source, at);
    if found == "end of input" {
        return Some(match expected {
            Some("expression") | None => "unexpected 'end of template'".to_string(),
            Some(e) => format!(
                "unexpected end of template, expected '{}'.",
                describe(e, "", None)
            ),
        });
    }
    Some(match expected {
        Some("identifier") => format!("expected token 'name', got '{got}'"),
        Some("identifier or integer") => "expected name or number".to_string(),
        Some("in") if expression_starts(source, at) => {
            format!("Expected an expression, got '{got}'")
        }
        Some(e) => format!("expected token '{}', got '{got}'", describe(e, "", None)),
        None if expression_starts(source, at) => format!("Expected an expression, got '{got}'"),
        None => format!("unexpected '{got}'"),
    })
}

/// Jinja2's `describe_token` for a minijinja token description.
fn describe(token: &str, source: &str, at: Option<usize>) -> String {
    match token {
        "end of variable block" => "end of print statement".into(),
        "end of block" => "end of statement block".into(),
        "end of input" => "end of template".into(),
        "identifier" => at
            .and_then(|i| source.get(i..))
            .map(|s| {
                s.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| "name".into()),
        quoted if quoted.starts_with('`') && quoted.ends_with('`') && quoted.len() > 1 => {
            quoted[1..quoted.len() - 1].to_string()
        }
        other => other.to_string(),
    }
}

/// Does an expression start at `at` (nothing yet after `{{`, after `if`,
/// `elif`, `for`, `set`, `for ... in` or `set ... =`)? There Jinja2's
/// `parse_tuple` finds no expression and says "Expected an expression".
fn expression_starts(source: &str, at: Option<usize>) -> bool {
    let Some(before) = at.and_then(|i| source.get(..i)) else {
        return false;
    };
    let (open, inside) = match (before.rfind("{{"), before.rfind("{%")) {
        (Some(v), Some(b)) if v > b => ("{{", &before[v + 2..]),
        (_, Some(b)) => ("{%", &before[b + 2..]),
        (Some(v), None) => ("{{", &before[v + 2..]),
        (None, None) => return false,
    };
    let inside = inside.trim_start_matches(['-', '+']).trim();
    if open == "{{" {
        return inside.is_empty();
    }
    let words: Vec<&str> = inside.split_whitespace().collect();
    match words.as_slice() {
        ["if" | "elif" | "for" | "set"] => true,
        ["for", .., "in"] => true,
        ["set", ..] => inside.ends_with('='),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::jinja2_text;

    /// `(template, minijinja detail, offset of the failing token, Jinja2's text)`;
    /// each Jinja2 text is salt-call 3008.4's.
    #[test]
    fn parser_errors_in_jinja2s_words() {
        let cases = [
            (
                "{{ 1 + }}",
                "unexpected end of variable block",
                7,
                "unexpected 'end of print statement'",
            ),
            (
                "{% if %}",
                "unexpected end of block",
                6,
                "Expected an expression, got 'end of statement block'",
            ),
            (
                "{{ }}",
                "unexpected end of variable block",
                3,
                "Expected an expression, got 'end of print statement'",
            ),
            (
                "{{ x | }}",
                "unexpected end of variable block, expected identifier",
                7,
                "expected token 'name', got 'end of print statement'",
            ),
            (
                "{% for x in %}",
                "unexpected end of block",
                12,
                "Expected an expression, got 'end of statement block'",
            ),
            (
                "{% if x == %}",
                "unexpected end of block",
                11,
                "unexpected 'end of statement block'",
            ),
            (
                "{{ x.1a }}",
                "unexpected identifier, expected end of variable block",
                6,
                "expected token 'end of print statement', got 'a'",
            ),
            (
                "{% macro %}",
                "unexpected end of block, expected identifier",
                9,
                "expected token 'name', got 'end of statement block'",
            ),
            (
                "{{ x y }}",
                "unexpected identifier, expected end of variable block",
                5,
                "expected token 'end of print statement', got 'y'",
            ),
            (
                "{{ x",
                "unexpected end of input, expected end of variable block",
                4,
                "unexpected end of template, expected 'end of print statement'.",
            ),
            (
                "{% if x",
                "unexpected end of input, expected end of block",
                7,
                "unexpected end of template, expected 'end of statement block'.",
            ),
            (
                "{% for %}",
                "unexpected end of block, expected in",
                7,
                "Expected an expression, got 'end of statement block'",
            ),
            (
                "{% for x %}",
                "unexpected end of block, expected in",
                9,
                "expected token 'in', got 'end of statement block'",
            ),
            (
                "{% set x = %}",
                "unexpected end of block",
                11,
                "Expected an expression, got 'end of statement block'",
            ),
            (
                "{{ x. }}",
                "unexpected end of variable block, expected identifier or integer",
                6,
                "expected name or number",
            ),
            (
                "{{ 1 +",
                "unexpected end of input, expected expression",
                6,
                "unexpected 'end of template'",
            ),
            (
                "{% if x is %}",
                "unexpected end of block, expected identifier",
                11,
                "expected token 'name', got 'end of statement block'",
            ),
            ("{{ x(a=) }}", "unexpected `)`", 7, "unexpected ')'"),
            (
                "{{ 1 2 }}",
                "unexpected integer, expected end of variable block",
                5,
                "expected token 'end of print statement', got 'integer'",
            ),
            (
                "{% import %}",
                "unexpected end of block",
                10,
                "unexpected 'end of statement block'",
            ),
        ];
        for (template, detail, at, want) in cases {
            assert_eq!(
                jinja2_text(detail, template, Some(at)).as_deref(),
                Some(want),
                "{template}"
            );
        }
    }
}
