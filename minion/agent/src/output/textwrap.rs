//! A small port of Python's `textwrap.fill` (whitespace collapsed to single
//! spaces, greedy wrapping, over-long words broken).

/// Wrap `text` to `width` columns, every line starting with `indent`.
pub fn fill(text: &str, width: usize, indent: &str) -> String {
    let words: Vec<String> = text
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let room = width.saturating_sub(indent.chars().count()).max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in words {
        let mut word = word;
        loop {
            let used = current.chars().count();
            let sep = usize::from(used > 0);
            if used + sep + word.chars().count() <= room {
                if sep == 1 {
                    current.push(' ');
                }
                current.push_str(&word);
                break;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut current));
                continue;
            }
            let head: String = word.chars().take(room).collect();
            word = word.chars().skip(room).collect();
            lines.push(head);
            if word.is_empty() {
                break;
            }
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
        .iter()
        .map(|l| format!("{indent}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_greedily_with_indent() {
        assert_eq!(fill("aa bb\ncc", 7, "  "), "  aa bb\n  cc");
        assert_eq!(fill("abcdefgh", 5, " "), " abcd\n efgh");
    }
}
