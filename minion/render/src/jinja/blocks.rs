//! Jinja2's wording for block-tag mistakes (`Unexpected end of template.
//! Jinja was looking for the following tags: 'elif' or 'else' or 'endif'. The
//! innermost block that needs to be closed is 'if'.`, `Encountered unknown
//! tag 'endfor'. ...`), found by scanning the template's tags when minijinja
//! reports a syntax error, so Salt users see the message Salt prints.

/// A block being open: its tag and the tags Jinja2 is looking for.
struct Open {
    tag: &'static str,
    looking: Vec<&'static str>,
}

fn open(tag: &str, body: &str) -> Option<Open> {
    let (tag, looking): (&'static str, Vec<&'static str>) = match tag {
        "if" => ("if", vec!["elif", "else", "endif"]),
        "for" => ("for", vec!["endfor", "else"]),
        "macro" => ("macro", vec!["endmacro"]),
        "call" => ("call", vec!["endcall"]),
        "filter" => ("filter", vec!["endfilter"]),
        "with" => ("with", vec!["endwith"]),
        "block" => ("block", vec!["endblock"]),
        "autoescape" => ("autoescape", vec!["endautoescape"]),
        "set" if !body.contains('=') && !body[3..].trim().is_empty() => ("set", vec!["endset"]),
        "load_yaml" | "load_json" | "load_text" => ("load", vec!["endload"]),
        "profile" => ("profile", vec!["endprofile"]),
        _ => return None,
    };
    Some(Open { tag, looking })
}

const SIMPLE: &[&str] = &[
    "set",
    "do",
    "import",
    "from",
    "include",
    "extends",
    "break",
    "continue",
    "import_yaml",
    "import_json",
    "import_text",
    "raw",
];

fn looking_for(open: &Open) -> String {
    let tags: Vec<String> = open.looking.iter().map(|t| format!("'{t}'")).collect();
    format!(
        " Jinja was looking for the following tags: {}. The innermost block that needs to be closed is '{}'.",
        tags.join(" or "),
        open.tag
    )
}

/// Every `{% ... %}` tag as (name, body, line of `{%`, line of `%}`);
/// comments and raw blocks skipped.
fn tags(source: &str) -> Vec<(String, String, usize, usize)> {
    let mut out = Vec::new();
    let bytes = source.as_bytes();
    let line_at = |i: usize| source[..i].matches('\n').count() + 1;
    let mut i = 0;
    while let Some(off) = source[i..].find('{') {
        let at = i + off;
        let next = bytes.get(at + 1).copied();
        let close = match next {
            Some(b'#') => "#}",
            Some(b'%') => "%}",
            Some(b'{') => "}}",
            _ => {
                i = at + 1;
                continue;
            }
        };
        let Some(end_off) = source[at + 2..].find(close) else {
            break;
        };
        let end = at + 2 + end_off + 2;
        if next == Some(b'%') {
            let body = source[at + 2..end - 2]
                .trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace());
            let name = body
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("")
                .to_string();
            if name == "raw" {
                let rest = &source[end..];
                let skip = rest
                    .find("endraw")
                    .and_then(|p| rest[p..].find("%}").map(|q| p + q + 2))
                    .unwrap_or(rest.len());
                out.push((name, body.to_string(), line_at(at), line_at(end - 1)));
                i = end + skip;
                continue;
            }
            out.push((name, body.to_string(), line_at(at), line_at(end - 1)));
        }
        i = end;
    }
    out
}

/// Jinja2's message and line for the first block-tag mistake, if any.
pub fn block_error(source: &str) -> Option<(String, usize)> {
    let mut stack: Vec<Open> = Vec::new();
    let mut last_line = 1;
    for (name, body, line, end_line) in tags(source) {
        last_line = end_line;
        if name == "set" && body[3..].trim().is_empty() {
            // Jinja2's parse_assign_target finds nothing to assign to
            let msg = "Expected an expression, got 'end of statement block'";
            return Some((msg.to_string(), end_line));
        }
        if let Some(o) = open(&name, &body) {
            stack.push(o);
            continue;
        }
        let fits = stack
            .last()
            .is_some_and(|top| top.looking.contains(&name.as_str()));
        if fits {
            let top = stack.last_mut().expect("checked");
            if name.starts_with("end") {
                stack.pop();
            } else if name == "else" {
                top.looking = top
                    .looking
                    .iter()
                    .copied()
                    .filter(|t| t.starts_with("end"))
                    .collect();
            }
            continue;
        }
        if SIMPLE.contains(&name.as_str()) {
            continue;
        }
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            // `{% %}`, `{%% ...`, `{% 1 %}`: Jinja2's parse_statement wants a name
            return Some(("tag name expected".to_string(), line));
        }
        let tail = stack.last().map(looking_for).unwrap_or_default();
        return Some((format!("Encountered unknown tag '{name}'.{tail}"), line));
    }
    stack.last().map(|top| {
        (
            format!("Unexpected end of template.{}", looking_for(top)),
            last_line,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::block_error;

    #[test]
    fn wording_of_jinja2() {
        assert_eq!(
            block_error("{% if true %}x").unwrap(),
            ("Unexpected end of template. Jinja was looking for the following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.".to_string(), 1)
        );
        assert_eq!(
            block_error("a\n{% if x %}\n{% endfor %}\n").unwrap(),
            ("Encountered unknown tag 'endfor'. Jinja was looking for the following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.".to_string(), 3)
        );
        assert_eq!(
            block_error("{% else %}").unwrap().0,
            "Encountered unknown tag 'else'."
        );
        assert!(block_error("{% for x in y %}{% else %}")
            .unwrap()
            .0
            .contains("following tags: 'endfor'. The innermost"));
        assert_eq!(block_error("{% if a %}{% elif b %}{% else %}{% endif %}{% set x = 1 %}{% raw %}{% endif %}{% endraw %}"), None);
        assert_eq!(
            block_error("{% set x %}1{% endset %}{% load_yaml as y %}a: 1{% endload %}"),
            None
        );
    }

    /// salt-call 3008.4's texts.
    #[test]
    fn a_tag_without_a_name_and_an_empty_set() {
        for t in ["{%% x %%}", "{% %}", "{% 1 %}"] {
            assert_eq!(block_error(t), Some(("tag name expected".into(), 1)), "{t}");
        }
        let empty_set = "Expected an expression, got 'end of statement block'";
        assert_eq!(block_error("a\n{% set %}"), Some((empty_set.into(), 2)));
        assert_eq!(block_error("{% set x %}y{% endset %}"), None);
    }
}
