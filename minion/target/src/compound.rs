//! The compound matcher (`salt/matchers/compound_match.py`).
//!
//! Words are operators (`and`, `or`, `not`, `(`, `)`), engine terms
//! (`G@`, `P@`, `I@`, `J@` with an optional one-character delimiter, `L@`, `E@`,
//! `S@`, `N@`, `T@`, `M@`) or bare globs on the id. Each term becomes a boolean and
//! the sequence is evaluated with Python's precedence (`not` > `and` > `or`).

use halite_api::Value;

use crate::{dispatch, nodegroup::nodegroup_comp, MatchContext, TargetError};

/// One evaluated word of the expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    And,
    Or,
    Not,
    Open,
    Close,
    Bool(bool),
}

/// A word split into Salt's `engine`, `delimiter` and `pattern`.
#[derive(Debug, PartialEq, Eq)]
pub struct TargetWord<'a> {
    pub engine: Option<char>,
    pub delimiter: Option<char>,
    pub pattern: &'a str,
}

/// `salt.utils.minions.parse_target` (the `TARGET_REX` regular expression).
pub fn parse_word(word: &str) -> TargetWord<'_> {
    let mut chars = word.char_indices();
    let plain = TargetWord {
        engine: None,
        delimiter: None,
        pattern: word,
    };
    let Some((_, engine)) = chars.next() else {
        return plain;
    };
    if !"GPIJLNSERTM".contains(engine) {
        return plain;
    }
    let rest = &word[engine.len_utf8()..];
    if "GPIJ".contains(engine) {
        let mut rc = rest.chars();
        if let (Some(delim), Some('@')) = (rc.next(), rc.next()) {
            let pattern = &rest[delim.len_utf8() + 1..];
            if !pattern.is_empty() && !pattern.contains('\n') {
                return TargetWord {
                    engine: Some(engine),
                    delimiter: Some(delim),
                    pattern,
                };
            }
        }
    }
    match rest.strip_prefix('@') {
        Some(pattern) if !pattern.is_empty() => TargetWord {
            engine: Some(engine),
            delimiter: None,
            pattern,
        },
        _ => plain,
    }
}

fn operator(word: &str) -> Option<Tok> {
    Some(match word {
        "and" => Tok::And,
        "or" => Tok::Or,
        "not" => Tok::Not,
        "(" => Tok::Open,
        ")" => Tok::Close,
        _ => return None,
    })
}

fn error(tgt: &str, reason: impl Into<String>) -> TargetError {
    TargetError {
        tgt_type: "compound".into(),
        target: tgt.into(),
        reason: reason.into(),
    }
}

/// The words of a compound target: a whitespace-split string or a list of strings.
fn target_words(tgt: &Value) -> Result<Vec<String>, TargetError> {
    match tgt {
        Value::String(s) => Ok(s.split_whitespace().map(str::to_string).collect()),
        Value::Array(items) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| error(&tgt.to_string(), "list words must be strings"))
            })
            .collect(),
        other => Err(error(
            &other.to_string(),
            "a compound target must be a string or a list",
        )),
    }
}

/// Evaluate a compound target for this minion.
pub fn compound_match(ctx: &MatchContext<'_>, tgt: &Value) -> Result<bool, TargetError> {
    let shown = match tgt {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut words = target_words(tgt)?;
    words.reverse();
    let mut results: Vec<Tok> = Vec::new();
    while let Some(word) = words.pop() {
        if let Some(op) = operator(&word) {
            push_operator(&mut results, op, &word).map_err(|r| error(&shown, r))?;
            continue;
        }
        let parsed = parse_word(&word);
        match parsed.engine {
            Some('N') => {
                let groups = ctx.nodegroups.cloned().unwrap_or_default();
                let expanded = nodegroup_comp(parsed.pattern, &groups);
                words.extend(expanded.into_iter().rev());
            }
            Some(engine) => results.push(Tok::Bool(engine_match(ctx, engine, &parsed)?)),
            None => results.push(Tok::Bool(crate::glob_match(
                ctx.id,
                &Value::String(word.clone()),
            ))),
        }
    }
    evaluate(&results).ok_or_else(|| error(&shown, "invalid boolean expression"))
}

/// Salt's operator rules: no leading `and`/`or`, none right after `(`, and a
/// `not` that follows an operand (or `)`) implies `and`.
fn push_operator(results: &mut Vec<Tok>, op: Tok, word: &str) -> Result<(), String> {
    match results.last() {
        Some(Tok::Open) if matches!(op, Tok::And | Tok::Or) => {
            return Err(format!("invalid operator '{word}' after '('"));
        }
        Some(last) if op == Tok::Not && !matches!(last, Tok::And | Tok::Or | Tok::Open) => {
            results.push(Tok::And);
        }
        Some(_) => {}
        None if !matches!(op, Tok::Open | Tok::Not) => {
            return Err(format!("invalid beginning operator '{word}'"));
        }
        None => {}
    }
    results.push(op);
    Ok(())
}

fn engine_match(
    ctx: &MatchContext<'_>,
    engine: char,
    word: &TargetWord<'_>,
) -> Result<bool, TargetError> {
    let delimiter = word
        .delimiter
        .map(String::from)
        .unwrap_or_else(|| ":".into());
    let pattern = Value::String(word.pattern.to_string());
    let tgt_type = match engine {
        'G' => "grain",
        'P' => "grain_pcre",
        'I' => "pillar",
        'J' => "pillar_pcre",
        'L' => "list",
        'S' => "ipcidr",
        'E' => "pcre",
        'M' => return Ok(ctx.id == word.pattern),
        'T' => return Ok(false),
        _ => {
            return Err(TargetError {
                tgt_type: "compound".into(),
                target: format!("{engine}@{}", word.pattern),
                reason: format!("unrecognized target engine '{engine}'"),
            })
        }
    };
    if tgt_type == "ipcidr" {
        return Ok(dispatch(ctx, &pattern, tgt_type, &delimiter).unwrap_or(false));
    }
    dispatch(ctx, &pattern, tgt_type, &delimiter)
}

/// Python's `eval` of `True`/`False`/`and`/`or`/`not`/parentheses; `()` is falsy.
fn evaluate(tokens: &[Tok]) -> Option<bool> {
    let mut parser = Parser { tokens, pos: 0 };
    let value = parser.or_expr()?;
    (parser.pos == tokens.len()).then_some(value)
}

struct Parser<'a> {
    tokens: &'a [Tok],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<Tok> {
        self.tokens.get(self.pos).copied()
    }

    fn or_expr(&mut self) -> Option<bool> {
        let mut value = self.and_expr()?;
        while self.peek() == Some(Tok::Or) {
            self.pos += 1;
            let rhs = self.and_expr()?;
            value = value || rhs;
        }
        Some(value)
    }

    fn and_expr(&mut self) -> Option<bool> {
        let mut value = self.not_expr()?;
        while self.peek() == Some(Tok::And) {
            self.pos += 1;
            let rhs = self.not_expr()?;
            value = value && rhs;
        }
        Some(value)
    }

    fn not_expr(&mut self) -> Option<bool> {
        if self.peek() == Some(Tok::Not) {
            self.pos += 1;
            return self.not_expr().map(|v| !v);
        }
        self.atom()
    }

    fn atom(&mut self) -> Option<bool> {
        let tok = self.peek()?;
        self.pos += 1;
        match tok {
            Tok::Bool(b) => Some(b),
            Tok::Open if self.peek() == Some(Tok::Close) => {
                self.pos += 1;
                Some(false)
            }
            Tok::Open => {
                let value = self.or_expr()?;
                (self.peek() == Some(Tok::Close)).then(|| self.pos += 1)?;
                Some(value)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{evaluate, parse_word, TargetWord, Tok};

    #[test]
    fn parse_word_engines_and_delimiters() {
        assert_eq!(
            parse_word("G@os:Debian"),
            TargetWord {
                engine: Some('G'),
                delimiter: None,
                pattern: "os:Debian"
            }
        );
        assert_eq!(
            parse_word("G;@os;Debian"),
            TargetWord {
                engine: Some('G'),
                delimiter: Some(';'),
                pattern: "os;Debian"
            }
        );
        assert_eq!(
            parse_word("L;@a,b"),
            TargetWord {
                engine: None,
                delimiter: None,
                pattern: "L;@a,b"
            }
        );
        assert_eq!(
            parse_word("X@foo"),
            TargetWord {
                engine: None,
                delimiter: None,
                pattern: "X@foo"
            }
        );
        assert_eq!(
            parse_word("G@"),
            TargetWord {
                engine: None,
                delimiter: None,
                pattern: "G@"
            }
        );
        assert_eq!(
            parse_word("web*"),
            TargetWord {
                engine: None,
                delimiter: None,
                pattern: "web*"
            }
        );
    }

    #[test]
    fn python_precedence() {
        use Tok::*;
        assert_eq!(
            evaluate(&[Bool(true), Or, Bool(false), And, Bool(false)]),
            Some(true)
        );
        assert_eq!(evaluate(&[Not, Bool(true), Or, Bool(true)]), Some(true));
        assert_eq!(
            evaluate(&[Open, Bool(true), Or, Bool(false), Close, And, Bool(false)]),
            Some(false)
        );
        assert_eq!(evaluate(&[Not, Open, Close]), Some(true));
        assert_eq!(evaluate(&[Bool(true), Bool(false)]), None);
        assert_eq!(evaluate(&[Open, Bool(true)]), None);
        assert_eq!(evaluate(&[]), None);
    }
}
