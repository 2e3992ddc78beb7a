//! Server-sent events as salt-api's `/events` writes them: `tag: T` and
//! `data: {"tag": T, "data": {...}}` lines, an event ended by a blank line,
//! `retry:` and `:` comment lines ignored.

use std::io::BufRead;

use halite_api::Value;

/// One master event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub tag: String,
    pub data: Value,
}

impl Event {
    /// The minion an event is from: `data.id`, else the tag's last segment
    /// of `salt/job/<jid>/ret/<id>` / `salt/minion/<id>/start`.
    pub fn minion(&self) -> Option<&str> {
        if let Some(id) = self.data.get("id").and_then(Value::as_str) {
            return Some(id);
        }
        let parts: Vec<&str> = self.tag.split('/').collect();
        match parts.as_slice() {
            ["salt", "job", _, "ret", id] | ["salt", "minion", id, "start"] => Some(id),
            _ => None,
        }
    }
}

/// Reads events off a byte stream.
pub struct SseReader<R> {
    inner: R,
}

impl<R: BufRead> SseReader<R> {
    pub fn new(inner: R) -> Self {
        SseReader { inner }
    }

    /// The next event; `None` at the end of the stream.
    pub fn next_event(&mut self) -> std::io::Result<Option<Event>> {
        let mut tag = String::new();
        let mut data = String::new();
        let mut line = String::new();
        loop {
            line.clear();
            if self.inner.read_line(&mut line)? == 0 {
                return Ok(None);
            }
            let l = line.trim_end_matches(['\r', '\n']);
            if l.is_empty() {
                if data.is_empty() {
                    tag.clear();
                    continue;
                }
                if let Some(ev) = parse(&tag, &data) {
                    return Ok(Some(ev));
                }
                tag.clear();
                data.clear();
                continue;
            }
            if let Some(v) = l.strip_prefix("tag:") {
                tag = v.trim_start().to_string();
            } else if let Some(v) = l.strip_prefix("data:") {
                if !data.is_empty() {
                    data.push('\n');
                }
                data.push_str(v.trim_start());
            }
        }
    }
}

fn parse(tag: &str, data: &str) -> Option<Event> {
    let v: Value = serde_json::from_str(data).ok()?;
    let tag = v
        .get("tag")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| tag.to_string());
    let data = v.get("data").cloned().unwrap_or(v);
    Some(Event { tag, data })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_comments_and_retry_lines() {
        let text = "retry: 400\n\n: keepalive\n\ntag: salt/job/1/ret/n1\ndata: {\"tag\": \"salt/job/1/ret/n1\", \"data\": {\"id\": \"n1\", \"retcode\": 0}}\n\ntag: salt/minion/n2/start\r\ndata: {\"tag\": \"salt/minion/n2/start\", \"data\": {\"_stamp\": \"x\"}}\r\n\r\ngarbage\n\n";
        let mut r = SseReader::new(text.as_bytes());
        let a = r.next_event().unwrap().unwrap();
        assert_eq!(a.tag, "salt/job/1/ret/n1");
        assert_eq!(a.data, json!({"id": "n1", "retcode": 0}));
        assert_eq!(a.minion(), Some("n1"));
        let b = r.next_event().unwrap().unwrap();
        assert_eq!(b.minion(), Some("n2"));
        assert_eq!(r.next_event().unwrap(), None);
    }
}
