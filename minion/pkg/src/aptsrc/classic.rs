//! One-line `sources.list` entries, as Salt 3008.4's
//! `salt.utils.pkg.deb.SourceEntry` reads and renders them (`_invalid`,
//! `_get_opts`, `split_source_line`, `repo_line`): options in `[...]`,
//! `#` disabling a line, a trailing `# comment`.

/// Why a line could not be read; Salt then stops reading its file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

/// A `sources.list` line.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Classic {
    pub invalid: bool,
    pub disabled: bool,
    pub kind: String,
    pub architectures: Vec<String>,
    pub signedby: String,
    pub trusted: Option<bool>,
    pub uri: String,
    pub dist: String,
    pub comps: Vec<String>,
    pub comment: String,
    /// The line as read (or as `mod_repo` set it), with its newline.
    pub line: String,
    pub file: String,
}

/// One `[key=value]` option of a line: its text and value.
#[derive(Debug, Clone, PartialEq)]
pub struct Opt {
    pub key: String,
    pub full: String,
    pub values: Vec<String>,
}

/// Salt's `string_to_bool`.
pub fn string_to_bool(s: &str) -> Result<bool, ParseError> {
    match s.to_lowercase().as_str() {
        "no" | "false" | "without" | "off" | "disable" | "0" => Ok(false),
        "yes" | "true" | "with" | "on" | "enable" | "1" => Ok(true),
        other => Err(ParseError(format!("Unable to convert to boolean: {other}"))),
    }
}

/// `_invalid`: (disabled, invalid, comment, words).
pub fn invalid_of(line: &str) -> (bool, bool, String, Vec<String>) {
    let mut line = line.trim();
    if line.is_empty() {
        return (false, true, String::new(), Vec::new());
    }
    let mut disabled = false;
    if let Some(rest) = line.strip_prefix('#') {
        disabled = true;
        line = rest;
    }
    let mut comment = String::new();
    if let Some(idx) = line.find('#').filter(|i| *i > 0) {
        comment = line[idx + 1..].to_string();
        line = &line[..idx];
    }
    let words = cdrom_words(line.trim())
        .unwrap_or_else(|| line.split_whitespace().map(String::from).collect());
    let bad = words.len() < 3 || !["deb", "deb-src", "rpm", "rpm-src"].contains(&words[0].as_str());
    let unclosed =
        !bad && words[1].starts_with('[') && !words[1..].iter().any(|w| w.ends_with(']'));
    (disabled, bad || unclosed, comment, words)
}

/// `(.*)(cdrom:.*/)(.*)`: a `cdrom:[label]/` URI kept in one word.
fn cdrom_words(line: &str) -> Option<Vec<String>> {
    let start = line.find("cdrom:")?;
    let end = line[start..].rfind('/')? + start + 1;
    let split = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
    let mut words = split(&line[..start]);
    words.push(line[start..end].trim().to_string());
    words.extend(split(&line[end..]));
    Some(words)
}

/// `_get_opts`: the options of the first `[...=...]` block of `line`; a
/// word there without `=` is Python's IndexError, as in Salt.
pub fn get_opts(line: &str) -> Result<Vec<Opt>, ParseError> {
    let Some(block) = first_opts_block(line) else {
        return Ok(Vec::new());
    };
    let mut opts: Vec<Opt> = Vec::new();
    let mut arch: Vec<String> = Vec::new();
    for opt in block.split_whitespace() {
        let (_, value) = opt
            .split_once('=')
            .ok_or_else(|| ParseError("list index out of range".into()))?;
        let (key, values) = if opt.starts_with("arch") {
            arch.extend(value.split(',').map(String::from));
            ("arch".to_string(), arch.clone())
        } else if opt.starts_with("signed-by") {
            ("signedby".to_string(), vec![value.to_string()])
        } else {
            let key = opt.split('=').next().unwrap_or("").to_string();
            (key, vec![value.to_string()])
        };
        let new = Opt {
            key: key.clone(),
            full: opt.to_string(),
            values,
        };
        match opts.iter_mut().find(|o| o.key == key) {
            Some(o) => *o = new,
            None => opts.push(new),
        }
    }
    Ok(opts)
}

/// `re.search(r"\[(.*?=.*?)\]", line)` with the brackets stripped.
fn first_opts_block(line: &str) -> Option<&str> {
    let mut from = 0;
    while let Some(open) = line[from..].find('[').map(|i| i + from) {
        let rest = &line[open + 1..];
        if let Some(eq) = rest
            .find(['=', '\n'])
            .filter(|i| rest.as_bytes()[*i] == b'=')
        {
            if let Some(close) = rest[eq..].find(['\n', ']']).map(|i| i + eq) {
                if rest.as_bytes()[close] == b']' {
                    return Some(&rest[..close]);
                }
            }
        }
        from = open + 1;
    }
    None
}

/// `SourceEntry.split_source_line`: words, a `[...]` block kept whole.
pub fn split_source_line(line: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut tmp = String::new();
    let (mut in_block, mut space) = (false, false);
    for c in line.trim().chars() {
        if c == '[' {
            if space {
                space = false;
                pieces.push(std::mem::take(&mut tmp));
            }
            in_block = true;
            tmp.push(c);
        } else if c == ']' {
            in_block = false;
            tmp.push(c);
        } else if space && !c.is_whitespace() {
            space = false;
            pieces.push(std::mem::replace(&mut tmp, c.to_string()));
        } else if c.is_whitespace() && !in_block {
            space = true;
        } else {
            tmp.push(c);
        }
    }
    if !tmp.is_empty() {
        pieces.push(tmp);
    }
    pieces
}

impl Classic {
    /// `SourceEntry(line, file)`.
    pub fn parse(line: &str, file: &str) -> Result<Classic, ParseError> {
        let mut e = Classic {
            line: line.to_string(),
            file: file.to_string(),
            ..Classic::default()
        };
        let (disabled, invalid, comment, mut words) = invalid_of(line);
        (e.disabled, e.invalid, e.comment) = (disabled, invalid, comment);
        if invalid {
            return Ok(e);
        }
        if words[1].starts_with('[') {
            words = words
                .iter()
                .map(|w| w.trim_matches(['[', ']']).to_string())
                .filter(|w| !w.is_empty())
                .collect();
            for opt in get_opts(line)? {
                match opt.key.as_str() {
                    "arch" => e.architectures.extend(opt.values.iter().cloned()),
                    "signedby" => e.signedby = opt.values[0].clone(),
                    "trusted" => e.trusted = Some(string_to_bool(&opt.values[0])?),
                    _ => {}
                }
                let bracketed = format!("[{}]", opt.full);
                let at = words
                    .iter()
                    .position(|w| *w == opt.full)
                    .or_else(|| words.iter().position(|w| *w == bracketed))
                    .ok_or_else(|| ParseError("list.index(x): x not in list".into()))?;
                words.remove(at);
            }
        }
        if words.len() < 3 {
            return Err(ParseError(format!(
                "Invalid repository definition: {}",
                words.join(" ")
            )));
        }
        e.kind = words[0].clone();
        e.uri = words[1].clone();
        e.dist = words[2].clone();
        e.comps = words[3..].to_vec();
        Ok(e)
    }

    /// `str(entry)`: the rendered line without its newline.
    pub fn render(&self) -> String {
        self.repo_line().trim().to_string()
    }

    /// `repo_line()`: the line `save` writes.
    pub fn repo_line(&self) -> String {
        if self.invalid {
            return self.line.clone();
        }
        let mut parts: Vec<String> = Vec::new();
        if self.disabled {
            parts.push("#".into());
        }
        parts.push(self.kind.clone());
        // the line parsed when it was read (or given to mod_repo)
        let mut opts = get_opts(&self.line).unwrap_or_default();
        let mut set = |key: &str, full: String| match opts.iter_mut().find(|o| o.key == key) {
            Some(o) => o.full = full,
            None => opts.push(Opt {
                key: key.into(),
                full,
                values: Vec::new(),
            }),
        };
        if !self.architectures.is_empty() {
            set("arch", format!("arch={}", self.architectures.join(",")));
        }
        if !self.signedby.is_empty() {
            set("signedby", format!("signed-by={}", self.signedby));
        }
        if self.trusted == Some(true) {
            set("trusted", "trusted=yes".into());
        }
        opts.retain(|o| !(o.key == "trusted" && o.full.split_once('=').map(|x| x.1) == Some("no")));
        let shown: Vec<&str> = opts
            .iter()
            .map(|o| o.full.as_str())
            .filter(|f| !f.is_empty())
            .collect();
        if !shown.is_empty() {
            parts.push(format!("[{}]", shown.join(" ")));
        }
        parts.extend([self.uri.clone(), self.dist.clone(), self.comps.join(" ")]);
        if !self.comment.is_empty() {
            parts.push(format!("#{}", self.comment));
        }
        parts.join(" ") + "\n"
    }

    /// The `suites` view: `[dist]`, or none.
    pub fn suites(&self) -> Vec<String> {
        if self.dist.is_empty() {
            Vec::new()
        } else {
            vec![self.dist.clone()]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_and_comments_are_read_and_rendered_as_salt() {
        let e = Classic::parse(
            "#deb [arch=amd64,i386 signed-by=/k.gpg] http://x/debian  bookworm main contrib # note\n",
            "/f.list",
        )
        .unwrap();
        assert!(e.disabled && !e.invalid);
        assert_eq!(e.architectures, ["amd64", "i386"]);
        assert_eq!(e.signedby, "/k.gpg");
        assert_eq!(
            (e.uri.as_str(), e.dist.as_str()),
            ("http://x/debian", "bookworm")
        );
        assert_eq!(e.comps, ["main", "contrib"]);
        assert_eq!(e.comment, " note");
        assert_eq!(
            e.render(),
            "# deb [arch=amd64,i386 signed-by=/k.gpg] http://x/debian bookworm main contrib # note"
        );
    }

    #[test]
    fn comments_and_short_lines_are_invalid() {
        for l in [
            "# just a comment",
            "",
            "deb http://x",
            "foo a b c",
            "deb [arch=amd64 http://x b",
        ] {
            assert!(Classic::parse(l, "/f").unwrap().invalid, "{l}");
        }
        assert!(Classic::parse("deb [trusted=maybe] http://x b m", "/f").is_err());
    }

    #[test]
    fn trusted_no_is_dropped_and_split_keeps_blocks() {
        let e = Classic::parse("deb [trusted=no] http://x b m", "/f").unwrap();
        assert_eq!(e.trusted, Some(false));
        assert_eq!(e.render(), "deb http://x b m");
        assert_eq!(split_source_line(" a  [x y]  b "), ["a", "[x y]", "b"]);
    }
}
