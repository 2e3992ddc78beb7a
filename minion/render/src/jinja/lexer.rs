//! The errors Jinja2's lexer raises before its parser runs, found by
//! scanning the original template the way `jinja2.lexer` does: inside
//! `{{ }}` and `{% %}`, brackets must balance (`unexpected '}'`,
//! `unexpected ']', expected ')'`; while a bracket is open the closing
//! delimiter is read as operators, as Jinja2 does) and every character
//! must start a token (`unexpected char '!' at 34`, the offset counted in
//! characters from the start of the template). Comments and raw blocks
//! are skipped.

/// The first lexer error of `source`: Jinja2's message and its line.
pub fn lexer_error(source: &str) -> Option<(String, usize)> {
    let chars: Vec<char> = source.chars().collect();
    let mut lexer = Lexer {
        chars: &chars,
        pos: 0,
        line: 1,
    };
    lexer.run().err()
}

struct Lexer<'a> {
    chars: &'a [char],
    pos: usize,
    line: usize,
}

type LexResult = Result<(), (String, usize)>;

impl Lexer<'_> {
    fn at(&self, s: &str) -> bool {
        s.chars()
            .enumerate()
            .all(|(i, c)| self.chars.get(self.pos + i) == Some(&c))
    }

    fn advance(&mut self, n: usize) {
        for _ in 0..n {
            if self.chars.get(self.pos) == Some(&'\n') {
                self.line += 1;
            }
            self.pos += 1;
        }
    }

    /// Template data, then each tag, to the end.
    fn run(&mut self) -> LexResult {
        while self.pos < self.chars.len() {
            if self.at("{#") {
                self.skip_past("#}");
            } else if self.at("{{") {
                self.advance(2);
                self.tag("}}")?;
            } else if self.at("{%") {
                self.advance(2);
                let raw = self.starts_raw();
                self.tag("%}")?;
                if raw {
                    self.skip_raw_body();
                }
            } else {
                self.advance(1);
            }
        }
        Ok(())
    }

    fn skip_past(&mut self, end: &str) {
        while self.pos < self.chars.len() && !self.at(end) {
            self.advance(1);
        }
        self.advance(end.len());
    }

    /// `{% raw %}` (with `-`/`+` modifiers)?
    fn starts_raw(&self) -> bool {
        let rest: String = self.chars[self.pos..].iter().take(12).collect();
        rest.trim_start_matches(['-', '+'])
            .trim_start()
            .strip_prefix("raw")
            .is_some_and(|r| r.trim_start().trim_start_matches('-').starts_with("%}"))
    }

    /// Past the matching `{% endraw %}`.
    fn skip_raw_body(&mut self) {
        while self.pos < self.chars.len() {
            if self.at("{%") {
                let rest: String = self.chars[self.pos + 2..].iter().take(16).collect();
                if rest
                    .trim_start_matches(['-', '+'])
                    .trim_start()
                    .starts_with("endraw")
                {
                    self.skip_past("%}");
                    return;
                }
            }
            self.advance(1);
        }
    }

    /// One tag's tokens up to its closing delimiter `end` (`}}` or `%}`).
    fn tag(&mut self, end: &str) -> LexResult {
        let mut open: Vec<char> = Vec::new();
        while self.pos < self.chars.len() {
            if open.is_empty() {
                for modifier in ["-", "+", ""] {
                    if self.at(&format!("{modifier}{end}")) {
                        self.advance(modifier.len() + end.len());
                        return Ok(());
                    }
                }
            }
            let c = self.chars[self.pos];
            if c.is_whitespace() {
                self.advance(1);
            } else if c == '\'' || c == '"' {
                self.string(c)?;
            } else if c.is_alphanumeric() || c == '_' {
                while self
                    .chars
                    .get(self.pos)
                    .is_some_and(|c| c.is_alphanumeric() || *c == '_')
                {
                    self.advance(1);
                }
            } else if let Some(close) = closing(c) {
                open.push(close);
                self.advance(1);
            } else if matches!(c, ')' | ']' | '}') {
                match open.pop() {
                    None => return Err((format!("unexpected '{c}'"), self.line)),
                    Some(want) if want != c => {
                        return Err((format!("unexpected '{c}', expected '{want}'"), self.line))
                    }
                    Some(_) => self.advance(1),
                }
            } else if is_operator_char(c, self.chars.get(self.pos + 1).copied()) {
                self.advance(1);
            } else {
                return Err((unexpected_char(c, self.pos), self.line));
            }
        }
        Ok(()) // the template ended inside the tag: the parser says so
    }

    /// A quoted string (escapes allowed, may span lines); unterminated, it
    /// is Jinja2's `unexpected char` at its quote.
    fn string(&mut self, quote: char) -> LexResult {
        let start = (self.pos, self.line);
        let mut i = self.pos + 1;
        while let Some(&c) = self.chars.get(i) {
            if c == '\\' {
                i += 2;
            } else if c == quote {
                self.advance(i + 1 - self.pos);
                return Ok(());
            } else {
                i += 1;
            }
        }
        Err((unexpected_char(quote, start.0), start.1))
    }
}

fn closing(c: char) -> Option<char> {
    match c {
        '(' => Some(')'),
        '[' => Some(']'),
        '{' => Some('}'),
        _ => None,
    }
}

/// Characters that start one of Jinja2's operators (`!` only in `!=`).
fn is_operator_char(c: char, next: Option<char>) -> bool {
    match c {
        '!' => next == Some('='),
        _ => "+-/*%~=<>.:|,;".contains(c),
    }
}

/// Python's `f"unexpected char {c!r} at {pos}"`.
fn unexpected_char(c: char, pos: usize) -> String {
    let shown = match c {
        '\'' => "\"'\"".to_string(),
        '"' => "'\"'".to_string(),
        '\\' => "'\\\\'".to_string(),
        c => format!("'{c}'"),
    };
    format!("unexpected char {shown} at {pos}")
}

#[cfg(test)]
mod tests {
    use super::lexer_error;

    /// Each message is salt-call 3008.4's (the template at line 4 of the SLS).
    #[test]
    fn lexer_errors_in_jinja2s_words() {
        let sls = |t: &str| format!("a:\n  test.nop:\n    - name: x\n{t}");
        let cases = [
            ("{{ x ] }}", "unexpected ']'"),
            ("{{ [1, 2 }}", "unexpected '}', expected ']'"),
            ("{{ {'a': 1 }}", "unexpected '}'"),
            ("{% set x = 1 %}{{ x }", "unexpected '}'"),
            ("{{ foo( }}", "unexpected '}', expected ')'"),
            ("{{ (1, 2] }}", "unexpected ']', expected ')'"),
            (
                "{{ x | map(attribute='a' }}",
                "unexpected '}', expected ')'",
            ),
            ("{{ x ! y }}", "unexpected char '!' at 34"),
            ("{{ x @ y }}", "unexpected char '@' at 34"),
            ("{{ \"abc }}", "unexpected char '\"' at 32"),
        ];
        for (template, want) in cases {
            assert_eq!(
                lexer_error(&sls(template)),
                Some((want.to_string(), 4)),
                "{template}"
            );
        }
    }

    #[test]
    fn valid_templates_comments_and_raw_pass() {
        for ok in [
            "{{ {'a': [1, (2, 3)]} }}",
            "{# } ] ) @ #}{{ x != y }}",
            "{% raw %}{{ ] @ {% endraw %}",
            "{{ 'it''s' ~ \"}}\" }}",
            "{%- if x -%}{{- x -}}{%+ endif +%}",
            "{{ x",
        ] {
            assert_eq!(lexer_error(ok), None, "{ok}");
        }
    }
}
