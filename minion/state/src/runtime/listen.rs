//! `listen` / `listen_in`: after the run, `mod_watch` copies of listening chunks
//! whose targets changed run as `listener_<ID>` entries (Salt's `call_listen`).

use halite_api::{Map, Value};
use indexmap::IndexMap;

use super::Runner;
use crate::compile::gen_tag;
use crate::high::{truthy, REQUISITE_KEYWORDS};
use crate::py::py_str;

type Key = (String, String, String);

fn listen_error(lkey: &str, lval: &str) -> (String, Map) {
    let tag = format!("Listen_Error_|-listen_{lval}_|-listen_{lkey}_|-Listen_Error");
    let mut m = Map::new();
    m.insert(
        "comment".into(),
        format!("Referenced state {lkey}: {lval} does not exist").into(),
    );
    m.insert("name".into(), format!("listen_{lkey}:{lval}").into());
    m.insert("result".into(), false.into());
    m.insert("changes".into(), Value::Object(Map::new()));
    (tag, m)
}

fn matches_ref(cref: &Key, state: &str, val: &str) -> bool {
    cref.0 == state && (cref.0 == val || cref.1 == val || cref.2 == val)
}

impl Runner {
    pub(super) fn call_listen(&mut self, order: &[usize]) {
        let listens = |i: &usize| {
            let c = &self.graph.chunks[*i];
            c.contains_key("listen") || c.contains_key("listen_in")
        };
        if !order.iter().any(listens) {
            return;
        }
        let (watchers, errors) = self.listen_watchers(order);
        let mut order = Vec::new();
        for w in watchers {
            order.push(self.graph.add_chunk(w));
        }
        self.call_chunks(&order);
        for (tag, mut m) in errors {
            m.insert("__run_num__".into(), self.next_run_num().into());
            self.running.insert(tag, m);
        }
    }

    /// The `mod_watch` chunks to run for listeners whose targets changed, and
    /// the errors for listen references to missing states.
    fn listen_watchers(&self, order: &[usize]) -> (Vec<Map>, IndexMap<String, Map>) {
        let chunks: Vec<&Map> = order.iter().map(|i| &self.graph.chunks[*i]).collect();
        let mut crefs: IndexMap<Key, &Map> = IndexMap::new();
        let mut listeners: Vec<(Key, Vec<Value>)> = Vec::new();
        for &chunk in &chunks {
            let s = |k: &str| chunk.get(k).map(py_str).unwrap_or_default();
            let key = (s("state"), s("__id__"), s("name"));
            crefs.insert(key.clone(), chunk);
            if let Some(Value::Array(l)) = chunk.get("listen") {
                listeners.push((key, l.clone()));
            }
            if let Some(Value::Array(lin)) = chunk.get("listen_in") {
                for l_in in lin {
                    for (k, v) in l_in.as_object().into_iter().flatten() {
                        let mut me = Map::new();
                        me.insert(s("state"), s("__id__").into());
                        listeners.push((
                            (k.clone(), py_str(v), "lookup".into()),
                            vec![Value::Object(me)],
                        ));
                    }
                }
            }
        }
        let mut watchers: Vec<Map> = Vec::new();
        let mut errors: IndexMap<String, Map> = IndexMap::new();
        for (key, targets) in listeners {
            for listen_to in targets {
                let listen_to = match listen_to {
                    Value::Object(m) => m,
                    other => {
                        let want = py_str(&other);
                        let found = chunks.iter().rev().find(|c| {
                            c.get("__id__").map(py_str).as_deref() == Some(&want)
                                || c.get("name").map(py_str).as_deref() == Some(&want)
                        });
                        let Some(c) = found else { continue };
                        let mut m = Map::new();
                        m.insert(py_str(&c["state"]), c["__id__"].clone());
                        m
                    }
                };
                for (lkey, lval) in listen_to {
                    let lval = py_str(&lval);
                    if !crefs.keys().any(|c| matches_ref(c, &lkey, &lval)) {
                        let (t, m) = listen_error(&lkey, &lval);
                        errors.insert(t, m);
                        continue;
                    }
                    let to_tags: Vec<String> = crefs
                        .iter()
                        .filter(|(c, _)| matches_ref(c, &lkey, &lval))
                        .map(|(_, d)| gen_tag(d))
                        .collect();
                    for to_tag in to_tags {
                        let changed = self
                            .running
                            .get(&to_tag)
                            .is_some_and(|r| r.get("changes").is_some_and(truthy));
                        if !changed {
                            continue;
                        }
                        if !crefs.keys().any(|c| matches_ref(c, &key.0, &key.1)) {
                            let (t, m) = listen_error(&key.0, &key.1);
                            errors.insert(t, m);
                            continue;
                        }
                        for (_, data) in
                            crefs.iter().filter(|(c, _)| matches_ref(c, &key.0, &key.1))
                        {
                            watchers.push(listener_chunk(data));
                        }
                    }
                }
            }
        }
        (watchers, errors)
    }
}

fn listener_chunk(data: &Map) -> Map {
    let mut low = data.clone();
    low.insert(
        "sfun".into(),
        data.get("fun").cloned().unwrap_or(Value::Null),
    );
    low.insert("fun".into(), "mod_watch".into());
    low.insert(
        "__id__".into(),
        format!("listener_{}", py_str(&data["__id__"])).into(),
    );
    for req in REQUISITE_KEYWORDS {
        low.shift_remove(*req);
    }
    low
}
