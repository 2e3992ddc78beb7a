//! Composing saphyr-parser events into a node tree (PyYAML's "composer" step).
//!
//! Nodes keep what the resolver needs: the raw scalar text, its style (plain or
//! quoted), explicit tags and the start mark used in error messages.

use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError, Span};

use super::errors::{from_scan_error, Mark, YamlError};

/// One composed YAML node.
#[derive(Debug, Clone)]
pub enum Node {
    Scalar {
        value: String,
        plain: bool,
        tag: Option<String>,
        mark: Mark,
    },
    Seq {
        items: Vec<Node>,
        tag: Option<String>,
        mark: Mark,
    },
    Map {
        pairs: Vec<(Node, Node)>,
        tag: Option<String>,
        mark: Mark,
    },
}

impl Node {
    pub fn mark(&self) -> Mark {
        match self {
            Node::Scalar { mark, .. } | Node::Seq { mark, .. } | Node::Map { mark, .. } => *mark,
        }
    }

    /// PyYAML's node id (`scalar`, `sequence`, `mapping`) used in messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Scalar { .. } => "scalar",
            Node::Seq { .. } => "sequence",
            Node::Map { .. } => "mapping",
        }
    }
}

/// A collection being built.
enum Open {
    Seq {
        items: Vec<Node>,
        tag: Option<String>,
        mark: Mark,
        anchor: usize,
    },
    Map {
        pairs: Vec<(Node, Node)>,
        key: Option<Node>,
        tag: Option<String>,
        mark: Mark,
        anchor: usize,
    },
}

fn mark_of(m: &Marker) -> Mark {
    Mark {
        line: m.line(),
        column: m.col(),
    }
}

fn full_tag(tag: Option<std::borrow::Cow<'_, saphyr_parser::Tag>>) -> Option<String> {
    tag.map(|t| format!("{}{}", t.handle, t.suffix))
}

/// Composes the single document of `text` (or `None` for an empty stream).
pub fn compose(text: &str) -> Result<Option<Node>, YamlError> {
    let mut composer = Composer::default();
    let mut parser = Parser::new_from_str(text);
    let mut documents = 0usize;
    let mut first_doc_mark = Mark::default();
    while let Some(item) = parser.next_event() {
        let (event, span): (Event<'_>, Span) =
            item.map_err(|e: ScanError| from_scan_error(&e, composer.innermost_mark()))?;
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents == 1 {
                    first_doc_mark = mark_of(&span.start);
                } else {
                    return Err(YamlError::marked(
                        Some(("expected a single document in the stream", first_doc_mark)),
                        "but found another document",
                        mark_of(&span.start),
                    ));
                }
            }
            other => composer.event(other, mark_of(&span.start))?,
        }
    }
    Ok(composer.root)
}

#[derive(Default)]
struct Composer {
    stack: Vec<Open>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
}

impl Composer {
    /// Start mark of the innermost open collection (context of parser errors).
    fn innermost_mark(&self) -> Option<Mark> {
        self.stack.last().map(|o| match o {
            Open::Seq { mark, .. } | Open::Map { mark, .. } => *mark,
        })
    }

    fn event(&mut self, event: Event<'_>, mark: Mark) -> Result<(), YamlError> {
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                let plain = matches!(style, ScalarStyle::Plain);
                let node = Node::Scalar {
                    value: value.into_owned(),
                    plain,
                    tag: full_tag(tag),
                    mark,
                };
                self.finish(node, anchor);
            }
            Event::SequenceStart(anchor, tag) => {
                self.stack.push(Open::Seq {
                    items: Vec::new(),
                    tag: full_tag(tag),
                    mark,
                    anchor,
                });
            }
            Event::MappingStart(anchor, tag) => {
                self.stack.push(Open::Map {
                    pairs: Vec::new(),
                    key: None,
                    tag: full_tag(tag),
                    mark,
                    anchor,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            Event::Alias(id) => {
                let node = self.anchors.get(&id).cloned().ok_or_else(|| {
                    YamlError::marked(None, &format!("found undefined alias {id}"), mark)
                })?;
                self.finish(node, 0);
            }
            _ => {}
        }
        Ok(())
    }

    /// Finish the innermost collection. Its item list is shrunk to its length:
    /// most SLS mappings hold one or two pairs, and a growing Vec reserves four.
    fn close(&mut self) {
        let (node, anchor) = match self.stack.pop() {
            Some(Open::Seq {
                mut items,
                tag,
                mark,
                anchor,
            }) => {
                items.shrink_to_fit();
                (Node::Seq { items, tag, mark }, anchor)
            }
            Some(Open::Map {
                mut pairs,
                tag,
                mark,
                anchor,
                ..
            }) => {
                pairs.shrink_to_fit();
                (Node::Map { pairs, tag, mark }, anchor)
            }
            None => return,
        };
        self.finish(node, anchor);
    }

    fn finish(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Open::Seq { items, .. }) => items.push(node),
            Some(Open::Map { pairs, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => pairs.push((k, node)),
            },
        }
    }
}
