//! A port of Python's `difflib.SequenceMatcher` and `unified_diff`, so the
//! `diff` text in file state changes is byte-for-byte what Salt prints.

use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Tag {
    Equal,
    Replace,
    Delete,
    Insert,
}

type Opcode = (Tag, usize, usize, usize, usize);

/// `SequenceMatcher(None, a, b)` with the default autojunk heuristic.
struct Matcher<'a> {
    a: &'a [&'a str],
    b: &'a [&'a str],
    b2j: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Matcher<'a> {
    fn new(a: &'a [&'a str], b: &'a [&'a str]) -> Self {
        let mut b2j: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, line) in b.iter().enumerate() {
            b2j.entry(line).or_default().push(i);
        }
        let n = b.len();
        if n >= 200 {
            let ntest = n / 100 + 1;
            b2j.retain(|_, idxs| idxs.len() <= ntest);
        }
        Matcher { a, b, b2j }
    }

    fn find_longest_match(
        &self,
        alo: usize,
        ahi: usize,
        blo: usize,
        bhi: usize,
    ) -> (usize, usize, usize) {
        let (mut besti, mut bestj, mut bestsize) = (alo, blo, 0usize);
        let mut j2len: HashMap<usize, usize> = HashMap::new();
        for i in alo..ahi {
            let mut next: HashMap<usize, usize> = HashMap::new();
            if let Some(js) = self.b2j.get(self.a[i]) {
                for &j in js {
                    if j < blo {
                        continue;
                    }
                    if j >= bhi {
                        break;
                    }
                    let k = j
                        .checked_sub(1)
                        .and_then(|p| j2len.get(&p))
                        .copied()
                        .unwrap_or(0)
                        + 1;
                    next.insert(j, k);
                    if k > bestsize {
                        besti = i + 1 - k;
                        bestj = j + 1 - k;
                        bestsize = k;
                    }
                }
            }
            j2len = next;
        }
        while besti > alo && bestj > blo && self.a[besti - 1] == self.b[bestj - 1] {
            besti -= 1;
            bestj -= 1;
            bestsize += 1;
        }
        while besti + bestsize < ahi
            && bestj + bestsize < bhi
            && self.a[besti + bestsize] == self.b[bestj + bestsize]
        {
            bestsize += 1;
        }
        (besti, bestj, bestsize)
    }

    fn matching_blocks(&self) -> Vec<(usize, usize, usize)> {
        let (la, lb) = (self.a.len(), self.b.len());
        let mut queue = vec![(0, la, 0, lb)];
        let mut blocks = Vec::new();
        while let Some((alo, ahi, blo, bhi)) = queue.pop() {
            let (i, j, k) = self.find_longest_match(alo, ahi, blo, bhi);
            if k > 0 {
                blocks.push((i, j, k));
                if alo < i && blo < j {
                    queue.push((alo, i, blo, j));
                }
                if i + k < ahi && j + k < bhi {
                    queue.push((i + k, ahi, j + k, bhi));
                }
            }
        }
        blocks.sort_unstable();
        let mut merged = Vec::new();
        let (mut i1, mut j1, mut k1) = (0, 0, 0);
        for (i2, j2, k2) in blocks {
            if i1 + k1 == i2 && j1 + k1 == j2 {
                k1 += k2;
            } else {
                if k1 > 0 {
                    merged.push((i1, j1, k1));
                }
                (i1, j1, k1) = (i2, j2, k2);
            }
        }
        if k1 > 0 {
            merged.push((i1, j1, k1));
        }
        merged.push((la, lb, 0));
        merged
    }

    fn opcodes(&self) -> Vec<Opcode> {
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        for (ai, bj, size) in self.matching_blocks() {
            let tag = if i < ai && j < bj {
                Some(Tag::Replace)
            } else if i < ai {
                Some(Tag::Delete)
            } else if j < bj {
                Some(Tag::Insert)
            } else {
                None
            };
            if let Some(t) = tag {
                out.push((t, i, ai, j, bj));
            }
            i = ai + size;
            j = bj + size;
            if size > 0 {
                out.push((Tag::Equal, ai, i, bj, j));
            }
        }
        out
    }

    fn grouped_opcodes(&self, n: usize) -> Vec<Vec<Opcode>> {
        let mut codes = self.opcodes();
        if codes.is_empty() {
            codes.push((Tag::Equal, 0, 1, 0, 1));
        }
        if let Some(first) = codes.first_mut() {
            if first.0 == Tag::Equal {
                first.1 = first.1.max(first.2.saturating_sub(n));
                first.3 = first.3.max(first.4.saturating_sub(n));
            }
        }
        if let Some(last) = codes.last_mut() {
            if last.0 == Tag::Equal {
                last.2 = last.2.min(last.1 + n);
                last.4 = last.4.min(last.3 + n);
            }
        }
        let mut groups = Vec::new();
        let mut group = Vec::new();
        for (tag, mut i1, i2, mut j1, j2) in codes {
            if tag == Tag::Equal && i2 - i1 > 2 * n {
                group.push((tag, i1, i2.min(i1 + n), j1, j2.min(j1 + n)));
                groups.push(std::mem::take(&mut group));
                i1 = i1.max(i2.saturating_sub(n));
                j1 = j1.max(j2.saturating_sub(n));
            }
            group.push((tag, i1, i2, j1, j2));
        }
        let only_equal = group.len() == 1 && group[0].0 == Tag::Equal;
        if !group.is_empty() && !only_equal {
            groups.push(group);
        }
        groups
    }
}

fn format_range(start: usize, stop: usize) -> String {
    let length = stop - start;
    let beginning = if length == 0 { start } else { start + 1 };
    if length == 1 {
        beginning.to_string()
    } else {
        format!("{beginning},{length}")
    }
}

/// `difflib.unified_diff(a, b, lineterm=lineterm)` with empty file names: the
/// list of pieces Python yields (lines of `a`/`b` are used as given).
pub fn unified_diff_pieces(a: &[&str], b: &[&str], lineterm: &str) -> Vec<String> {
    let matcher = Matcher::new(a, b);
    let mut out = Vec::new();
    for group in matcher.grouped_opcodes(3) {
        if out.is_empty() {
            out.push(format!("--- {lineterm}"));
            out.push(format!("+++ {lineterm}"));
        }
        let (first, last) = (group[0], group[group.len() - 1]);
        out.push(format!(
            "@@ -{} +{} @@{lineterm}",
            format_range(first.1, last.2),
            format_range(first.3, last.4)
        ));
        for (tag, i1, i2, j1, j2) in group {
            if tag == Tag::Equal {
                out.extend(a[i1..i2].iter().map(|l| format!(" {l}")));
                continue;
            }
            if matches!(tag, Tag::Replace | Tag::Delete) {
                out.extend(a[i1..i2].iter().map(|l| format!("-{l}")));
            }
            if matches!(tag, Tag::Replace | Tag::Insert) {
                out.extend(b[j1..j2].iter().map(|l| format!("+{l}")));
            }
        }
    }
    out
}

/// Python's `str.splitlines(keepends=True)` restricted to `\n`/`\r\n`/`\r`
/// (what `readlines()` of a text file gives for ordinary files).
pub fn lines_keepends(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c == '\n' {
            out.push(&text[start..=i]);
            start = i + 1;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Salt's file diff (`file.get_diff`): unified diff of the two texts' lines,
/// joined without separators. Empty when equal.
pub fn file_diff(old: &str, new: &str) -> String {
    let a = lines_keepends(old);
    let b = lines_keepends(new);
    if a == b {
        return String::new();
    }
    unified_diff_pieces(&a, &b, "\n").concat()
}

/// Salt's description for binary content, or `None` for two text files
/// (`file._binary_replace`).
pub fn binary_replace(old: &[u8], new: &[u8]) -> Option<String> {
    let is_bin = |d: &[u8]| d.contains(&0) || std::str::from_utf8(d).is_err();
    match (is_bin(old), is_bin(new)) {
        (true, true) => Some("Replace binary file".into()),
        (true, false) => Some("Replace binary file with text file".into()),
        (false, true) => Some("Replace text file with binary file".into()),
        (false, false) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_one_line() {
        assert_eq!(
            file_diff("old\n", "new\n"),
            "--- \n+++ \n@@ -1 +1 @@\n-old\n+new\n"
        );
    }

    #[test]
    fn edit_keeps_context() {
        assert_eq!(
            file_diff("old line\nkeep\n", "new line\nkeep\n"),
            "--- \n+++ \n@@ -1,2 +1,2 @@\n-old line\n+new line\n keep\n"
        );
    }

    #[test]
    fn grow_from_one_line() {
        let d = file_diff("port=1\n", "# m\nport=22\nx\n");
        assert_eq!(
            d,
            "--- \n+++ \n@@ -1 +1,3 @@\n-port=1\n+# m\n+port=22\n+x\n"
        );
    }

    #[test]
    fn far_apart_changes_make_two_hunks() {
        let old: String = (0..20).map(|i| format!("l{i}\n")).collect();
        let new = old.replace("l1\n", "L1\n").replace("l18\n", "L18\n");
        let d = file_diff(&old, &new);
        assert_eq!(d.matches("@@ -").count(), 2, "{d}");
        assert!(d.contains("@@ -1,5 +1,5 @@\n l0\n-l1\n+L1\n l2\n l3\n l4\n"));
    }

    #[test]
    fn append_style_lines_without_ends() {
        let p = unified_diff_pieces(&["a=1"], &["a=1", "b=2", "c=3"], "\n");
        assert_eq!(
            p.join("\n"),
            "--- \n\n+++ \n\n@@ -1 +1,3 @@\n\n a=1\n+b=2\n+c=3"
        );
    }

    #[test]
    fn equal_texts_give_no_diff() {
        assert_eq!(file_diff("a\nb\n", "a\nb\n"), "");
    }
}
