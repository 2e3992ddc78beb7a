//! Python `re.match` on top of the `regex` crate: anchored at the start only.
//!
//! Python's `\Z` (end of string) is rewritten to the crate's `\z`. Constructs the
//! crate does not support (look-around, back-references) are reported as invalid.

use regex::Regex;

/// Compile a Python pattern for `re.match` semantics (anchored at the start).
pub fn compile_match(pattern: &str) -> Result<Regex, String> {
    let translated = translate(pattern);
    Regex::new(&format!(r"\A(?:{translated})")).map_err(|e| e.to_string())
}

/// `re.match(pattern, text)` truthiness.
pub fn re_match(pattern: &str, text: &str) -> Result<bool, String> {
    Ok(compile_match(pattern)?.is_match(text))
}

/// Rewrite Python-only escapes to the regex crate's spelling.
fn translate(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('Z') => out.push_str(r"\z"),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::re_match;

    #[test]
    fn anchored_at_start_only() {
        assert!(re_match("web", "web01").unwrap());
        assert!(!re_match("eb", "web01").unwrap());
        assert!(re_match("web0[0-9]$", "web01").unwrap());
        assert!(re_match(r"web\d+\Z", "web01").unwrap());
        assert!(!re_match(r"web\Z", "web01").unwrap());
    }

    #[test]
    fn alternation_stays_anchored() {
        assert!(!re_match("x|eb", "web").unwrap());
        assert!(re_match("x|we", "web").unwrap());
    }

    #[test]
    fn invalid_pattern_is_an_error() {
        assert!(re_match("web(", "web").is_err());
        assert!(re_match(r"\", "web").is_err());
    }
}
