//! The `headers` of an `http_query` result as tornado's `HTTPHeaders`
//! behaves in a template: a mapping whose names match case-insensitively
//! (`r.headers['content-type']`, `.get('CONTENT-TYPE')`, `'content-type' in
//! r.headers`), iterated and printed as the dict of its normalised names.

use std::sync::Arc;

use minijinja::value::{Enumerator, Object, ObjectRepr};
use minijinja::{Error, State, Value};

/// Wraps the dict of normalised header names (a mutable dict).
#[derive(Debug)]
pub struct HttpHeaders(Value);

impl HttpHeaders {
    pub fn new_value(dict: Value) -> Value {
        Value::from_object(HttpHeaders(dict))
    }

    /// The stored name equal to `key` but for case.
    fn name_of(&self, key: &Value) -> Option<Value> {
        let wanted = key.as_str()?;
        self.0
            .try_iter()
            .ok()?
            .find(|k| k.as_str().is_some_and(|k| k.eq_ignore_ascii_case(wanted)))
    }
}

impl Object for HttpHeaders {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.0.get_item(&self.name_of(key)?).ok()
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let keys: Vec<Value> = self.0.try_iter().map(Iterator::collect).unwrap_or_default();
        Enumerator::Iter(Box::new(keys.into_iter()))
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        self.0.len()
    }

    fn call_method(
        self: &Arc<Self>,
        state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let mut args = args.to_vec();
        if matches!(method, "get" | "pop" | "setdefault" | "has_key") {
            if let Some(name) = args.first().and_then(|k| self.name_of(k)) {
                args[0] = name;
            }
        }
        self.0.call_method(state, method, &args)
    }
}
