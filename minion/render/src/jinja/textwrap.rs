//! Jinja2's `wordwrap` filter on a port of Python's `textwrap.TextWrapper`
//! (`expand_tabs=False`, `replace_whitespace=False`, `drop_whitespace=True`):
//! the same chunking (`wordsep_re`, hyphenated words, em-dashes) and line
//! filling, so lines break where Python breaks them.

use minijinja::value::{Rest, ValueOrKwargs};
use minijinja::{Error, Value};

use super::filters_hash::invalid;
use super::filters_jinja2::{bind, opt_int, py_str};

/// textwrap's whitespace (ASCII only).
fn is_ws(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0b' | '\x0c' | '\r' | ' ')
}

/// `[^\d\W]`: a letter (or underscore).
fn is_letter(c: Option<&char>) -> bool {
    c.is_some_and(|&c| (c.is_alphanumeric() && !c.is_numeric()) || c == '_')
}

fn is_word(c: Option<&char>) -> bool {
    c.is_some_and(|&c| c.is_alphanumeric() || c == '_')
}

/// `[\w!"'&.,?]`: what may come before an em-dash.
fn is_wp(c: Option<&char>) -> bool {
    is_word(c) || c.is_some_and(|&c| "!\"'&.,?".contains(c))
}

/// `-{2,}\w` at `i`: the number of dashes, when followed by a word char.
fn em_dash(t: &[char], i: usize) -> Option<usize> {
    let n = t[i..].iter().take_while(|&&c| c == '-').count();
    (n >= 2 && is_word(t.get(i + n))).then_some(n)
}

/// Python's `wordsep_re` (break_on_hyphens) or `wordsep_simple_re` split.
fn chunks(t: &[char], hyphens: bool) -> Vec<Vec<char>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let start = i;
        if is_ws(t[i]) {
            while i < t.len() && is_ws(t[i]) {
                i += 1;
            }
        } else if !hyphens {
            while i < t.len() && !is_ws(t[i]) {
                i += 1;
            }
        } else if let Some(n) = (i > 0 && is_wp(t.get(i - 1)))
            .then(|| em_dash(t, i))
            .flatten()
        {
            i += n;
        } else {
            i = word_end(t, i);
        }
        out.push(t[start..i].to_vec());
    }
    out
}

/// The end of the non-greedy word alternative of `wordsep_re` starting at `i`.
fn word_end(t: &[char], i: usize) -> usize {
    let at = |k: isize| -> Option<&char> { (k >= 0).then(|| t.get(k as usize)).flatten() };
    let mut j = i + 1;
    loop {
        let k = j as isize;
        // hyphenated word: `-` after two letters or letter-letter, before letter -? letter
        if t.get(j) == Some(&'-')
            && ((is_letter(at(k - 1)) && is_letter(at(k - 2)))
                || (is_letter(at(k - 1)) && at(k - 2) == Some(&'-') && is_letter(at(k - 3))))
            && is_letter(at(k + 1))
            && (is_letter(at(k + 2)) || (at(k + 2) == Some(&'-') && is_letter(at(k + 3))))
        {
            return j + 1;
        }
        if j >= t.len() || is_ws(t[j]) {
            return j;
        }
        if is_wp(at(k - 1)) && em_dash(t, j).is_some() {
            return j;
        }
        j += 1;
    }
}

fn is_blank(chunk: &[char]) -> bool {
    chunk.iter().all(|c| c.is_whitespace())
}

/// `TextWrapper._handle_long_word`.
fn long_word(chunks: &mut [Vec<char>], line: &mut Vec<Vec<char>>, cur: usize, o: &Opts) {
    let space_left = if o.width < 1 { 1 } else { o.width - cur };
    let Some(chunk) = chunks.last_mut() else {
        return;
    };
    if o.break_long_words {
        let mut end = space_left;
        if o.hyphens && chunk.len() > space_left {
            let hyphen = chunk[..space_left.min(chunk.len())]
                .iter()
                .rposition(|&c| c == '-');
            if let Some(h) = hyphen.filter(|&h| h > 0 && chunk[..h].iter().any(|&c| c != '-')) {
                end = h + 1;
            }
        }
        let end = end.min(chunk.len());
        line.push(chunk[..end].to_vec());
        *chunk = chunk[end..].to_vec();
    } else if line.is_empty() {
        line.push(std::mem::take(chunk));
    }
}

struct Opts {
    width: usize,
    break_long_words: bool,
    hyphens: bool,
}

/// `textwrap.wrap(text, ...)`: the lines.
fn wrap(text: &str, o: &Opts) -> Vec<String> {
    let t: Vec<char> = text.chars().collect();
    let mut rev: Vec<Vec<char>> = chunks(&t, o.hyphens);
    rev.reverse();
    let mut lines = Vec::new();
    while !rev.is_empty() {
        let mut line: Vec<Vec<char>> = Vec::new();
        let mut cur = 0;
        if rev.last().is_some_and(|c| is_blank(c)) && !lines.is_empty() {
            rev.pop();
        }
        while let Some(c) = rev.last() {
            if cur + c.len() <= o.width {
                cur += c.len();
                line.extend(rev.pop());
            } else {
                break;
            }
        }
        if rev.last().is_some_and(|c| c.len() > o.width) {
            long_word(&mut rev, &mut line, cur, o);
            if rev.last().is_some_and(Vec::is_empty) {
                rev.pop();
            }
        }
        if line.last().is_some_and(|c| is_blank(c)) {
            line.pop();
        }
        if !line.is_empty() {
            lines.push(line.concat().into_iter().collect());
        }
    }
    lines
}

pub(super) use halite_api::py::splitlines;

/// `wordwrap(width=79, break_long_words=True, wrapstring='\n', break_on_hyphens=True)`.
pub fn wordwrap(s: Value, args: Rest<ValueOrKwargs>) -> Result<String, Error> {
    let a = bind(
        "do_wordwrap",
        &args,
        &[
            "width",
            "break_long_words",
            "wrapstring",
            "break_on_hyphens",
        ],
    )?;
    let width = opt_int(&a[0], 79)?;
    if width <= 0 {
        return Err(invalid(format!("invalid width {width} (must be > 0)")));
    }
    let o = Opts {
        width: width as usize,
        break_long_words: a[1].as_ref().is_none_or(Value::is_true),
        hyphens: a[3].as_ref().is_none_or(Value::is_true),
    };
    let sep = match &a[2] {
        Some(v) if !v.is_none() => py_str(v),
        _ => "\n".into(),
    };
    let text = py_str(&s);
    let paragraphs: Vec<String> = splitlines(&text)
        .into_iter()
        .map(|line| wrap(line, &o).join(&sep))
        .collect();
    Ok(paragraphs.join(&sep))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(text: &str, width: usize) -> Vec<String> {
        wrap(
            text,
            &Opts {
                width,
                break_long_words: true,
                hyphens: true,
            },
        )
    }

    #[test]
    fn wraps_like_python() {
        // outputs of Python 3.11 textwrap.wrap(text, width, expand_tabs=False, replace_whitespace=False)
        assert_eq!(w("the quick brown fox", 10), ["the quick", "brown fox"]);
        assert_eq!(w("a well-known thing", 8), ["a well-", "known", "thing"]);
        assert_eq!(w("abcdefghijkl", 5), ["abcde", "fghij", "kl"]);
        assert_eq!(w("foo--bar baz", 5), ["foo--", "bar", "baz"]);
        assert!(w("", 5).is_empty());
    }

    #[test]
    fn splits_lines_like_python() {
        assert_eq!(splitlines("a\r\nb\nc\rd\n"), ["a", "b", "c", "d"]);
        assert_eq!(splitlines("a\n\nb"), ["a", "", "b"]);
    }
}
