//! Python's `fnmatch.fnmatch` on POSIX (case-sensitive): `*`, `?`, `[seq]`, `[!seq]`.
//!
//! Mirrors `fnmatch.translate` of CPython 3.11: an unclosed `[` is a literal,
//! a `]` right after `[` or `[!` is a member, `\` is a literal inside sets,
//! reversed ranges (`[z-a]`) are dropped, and `*` also matches newlines.

/// One element of a compiled glob.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Star,
    AnyChar,
    Literal(char),
    Set {
        negated: bool,
        items: Vec<(char, char)>,
    },
}

/// Does `name` match the shell pattern `pattern`?
pub fn fnmatch(name: &str, pattern: &str) -> bool {
    let tokens = compile(pattern);
    let chars: Vec<char> = name.chars().collect();
    match_tokens(&tokens, &chars)
}

fn compile(pattern: &str) -> Vec<Token> {
    let pat: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < pat.len() {
        let c = pat[i];
        i += 1;
        match c {
            '*' => {
                if tokens.last() != Some(&Token::Star) {
                    tokens.push(Token::Star);
                }
            }
            '?' => tokens.push(Token::AnyChar),
            '[' => match parse_set(&pat, i) {
                Some((token, next)) => {
                    tokens.push(token);
                    i = next;
                }
                None => tokens.push(Token::Literal('[')),
            },
            other => tokens.push(Token::Literal(other)),
        }
    }
    tokens
}

/// Parse a set whose body starts at `start` (just after `[`); returns the token
/// and the index after the closing `]`, or None when the set is unclosed.
fn parse_set(pat: &[char], start: usize) -> Option<(Token, usize)> {
    let mut j = start;
    if pat.get(j) == Some(&'!') {
        j += 1;
    }
    if pat.get(j) == Some(&']') {
        j += 1;
    }
    while j < pat.len() && pat[j] != ']' {
        j += 1;
    }
    if j >= pat.len() {
        return None;
    }
    let mut body = &pat[start..j];
    let negated = body.first() == Some(&'!');
    if negated {
        body = &body[1..];
    }
    Some((
        Token::Set {
            negated,
            items: set_items(body),
        },
        j + 1,
    ))
}

/// Members of a set body: single chars and `a-z` ranges (a leading `-` is literal).
fn set_items(body: &[char]) -> Vec<(char, char)> {
    let mut items = Vec::new();
    let mut k = 0;
    while k < body.len() {
        let lo = body[k];
        if body.get(k + 1) == Some(&'-') && k + 2 < body.len() {
            let hi = body[k + 2];
            if lo <= hi {
                items.push((lo, hi));
            }
            k += 3;
        } else {
            items.push((lo, lo));
            k += 1;
        }
    }
    items
}

fn token_matches_char(token: &Token, ch: char) -> bool {
    match token {
        Token::AnyChar => true,
        Token::Literal(c) => *c == ch,
        Token::Set { negated, items } => {
            let inside = items.iter().any(|(lo, hi)| *lo <= ch && ch <= *hi);
            inside != *negated
        }
        Token::Star => true,
    }
}

/// Iterative glob matching with single-star backtracking (linear in practice).
fn match_tokens(tokens: &[Token], name: &[char]) -> bool {
    let (mut t, mut n) = (0usize, 0usize);
    let mut backtrack: Option<(usize, usize)> = None;
    while n < name.len() {
        if t < tokens.len() && tokens[t] == Token::Star {
            backtrack = Some((t, n));
            t += 1;
        } else if t < tokens.len() && token_matches_char(&tokens[t], name[n]) {
            t += 1;
            n += 1;
        } else if let Some((star_t, star_n)) = backtrack {
            t = star_t + 1;
            n = star_n + 1;
            backtrack = Some((star_t, star_n + 1));
        } else {
            return false;
        }
    }
    tokens[t..].iter().all(|tok| *tok == Token::Star)
}

#[cfg(test)]
mod tests {
    use super::fnmatch;

    #[test]
    fn star_and_question() {
        assert!(fnmatch("web01", "web*"));
        assert!(fnmatch("web01", "*"));
        assert!(fnmatch("", "*"));
        assert!(fnmatch("web01", "web0?"));
        assert!(!fnmatch("web010", "web0?"));
        assert!(fnmatch("a.b.c", "*.c"));
        assert!(fnmatch("line1\nline2", "line*2"));
        assert!(!fnmatch("web01", "db*"));
    }

    #[test]
    fn case_sensitive_like_posix() {
        assert!(!fnmatch("Web01", "web*"));
    }

    #[test]
    fn sets_ranges_and_negation() {
        assert!(fnmatch("web1", "web[0-9]"));
        assert!(!fnmatch("weba", "web[0-9]"));
        assert!(fnmatch("weba", "web[!0-9]"));
        assert!(fnmatch("a-", "a[-x]"));
        assert!(fnmatch("a]", "a[]]"));
        assert!(fnmatch("ab", "a[!]]"));
        assert!(fnmatch("a\\", "a[\\]"));
        assert!(fnmatch("a^", "a[^x]"));
    }

    #[test]
    fn unclosed_bracket_is_literal() {
        assert!(fnmatch("a[b", "a[b"));
        assert!(!fnmatch("ab", "a[b"));
    }

    #[test]
    fn reversed_range_is_dropped() {
        assert!(!fnmatch("b", "[z-a]"));
        assert!(fnmatch("q", "[z-aq]"));
    }
}
