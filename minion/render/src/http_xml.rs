//! `decode_type='xml'` of `http.query`: `ET.fromstring(text)`, then
//! `salt.utils.xmlutil.to_dict(item)` of each child of the root, as Salt
//! 3008.4 does: a leaf is `{tag: text}`, an element with children the
//! dict of its children (a leaf child by its text; a repeated tag becomes
//! a list whose later items are `to_dict` of the element, Salt's quirk),
//! namespaces dropped from tags. Parsed with roxmltree.

use halite_api::{Map, Value};
use roxmltree::Node;

/// The list `ret['dict']` holds for an XML body.
pub fn decode(text: &str) -> Result<Value, String> {
    let doc = roxmltree::Document::parse(text).map_err(|e| e.to_string())?;
    Ok(Value::Array(
        elements(doc.root_element()).map(to_dict).collect(),
    ))
}

fn elements<'a, 'i>(node: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(Node::is_element)
}

/// ElementTree's `.text`: the character data before the first child
/// element (comments dropped), `None` when there is none.
fn text(node: Node) -> Value {
    let mut text = String::new();
    let mut any = false;
    for child in node.children() {
        if child.is_element() {
            break;
        }
        if child.is_text() {
            any = true;
            text.push_str(child.text().unwrap_or_default());
        }
    }
    if any {
        Value::String(text)
    } else {
        Value::Null
    }
}

/// `xmlutil._to_dict`.
fn to_dict(node: Node) -> Value {
    let name = node.tag_name().name().to_string();
    if elements(node).next().is_none() {
        let mut leaf = Map::new();
        leaf.insert(name, text(node));
        return Value::Object(leaf);
    }
    let mut dict = Map::new();
    for item in elements(node) {
        let name = item.tag_name().name().to_string();
        match dict.get_mut(&name) {
            None => {
                let value = if elements(item).next().is_some() {
                    to_dict(item)
                } else {
                    text(item)
                };
                dict.insert(name, value);
            }
            Some(existing) => {
                if !existing.is_array() {
                    *existing = Value::Array(vec![existing.take()]);
                }
                if let Value::Array(list) = existing {
                    list.push(to_dict(item));
                }
            }
        }
    }
    Value::Object(dict)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn to_dict_as_salt() {
        // Python 3.11 + salt.utils.xmlutil.to_dict over ET.fromstring(text).
        let text = r#"<r xmlns:a="urn:a"><a:x>1</a:x><y><z>2</z><z>3</z><e/></y><w>t<!-- c -->u<v/>k</w></r>"#;
        assert_eq!(
            super::decode(text).unwrap(),
            json!([{"x": "1"}, {"z": ["2", {"z": "3"}], "e": null}, {"v": null}])
        );
        assert!(super::decode("<r>").is_err());
    }
}
