//! Salt's `http_query` filter: `url|http_query(method='GET', ...)` is
//! `salt.utils.http.query` ([`crate::http_query`]) over the `Ctx`'s
//! network, positional arguments in Salt's parameter order. Salt's filter
//! reads the minion config file for its options when `opts` is not given;
//! Halite uses the run's options. `headers` match names case-insensitively,
//! as tornado's `HTTPHeaders` does ([`HttpHeaders`]).

use std::sync::Arc;

use halite_api::{Map, Network};
use minijinja::value::{Kwargs, Rest};
use minijinja::{Error, Value};

use super::filters_data::error;
use super::http_headers::HttpHeaders;
use super::mutable::{from_jinja, to_jinja, MutDict};
use crate::http_query::{query, PARAMETERS};

/// The filter, bound to the run's network and options.
pub fn filter(
    net: Arc<dyn Network>,
    opts: Arc<Map>,
) -> impl Fn(String, Rest<Value>, Kwargs) -> Result<Value, Error> + Send + Sync + 'static {
    move |url, args, kwargs| {
        let call = arguments(&args, &kwargs)?;
        kwargs.assert_all_used()?;
        let opts = match call.get("opts") {
            Some(halite_api::Value::Object(given)) => given.clone(),
            _ => (*opts).clone(),
        };
        let ret = query(net.as_ref(), &opts, &url, &call).map_err(|e| error(e.to_string()))?;
        let items = ret.iter().map(|(key, value)| {
            let value = match key.as_str() {
                "headers" => HttpHeaders::new_value(to_jinja(value)),
                _ => to_jinja(value),
            };
            (Value::from(key.as_str()), value)
        });
        Ok(MutDict::new_value(items.collect()))
    }
}

/// Positional and keyword arguments as one map of Salt's names.
fn arguments(args: &[Value], kwargs: &Kwargs) -> Result<Map, Error> {
    if args.len() > PARAMETERS.len() {
        return Err(error(format!(
            "query() takes from 1 to {} positional arguments but {} were given",
            PARAMETERS.len() + 1,
            args.len() + 1
        )));
    }
    let mut call = Map::new();
    for (name, value) in PARAMETERS.iter().zip(args) {
        call.insert(name.to_string(), from_jinja(value));
    }
    for name in kwargs.args() {
        if call.contains_key(name) {
            return Err(error(format!(
                "query() got multiple values for argument '{name}'"
            )));
        }
        let value: Value = kwargs.get(name)?;
        call.insert(name.to_string(), from_jinja(&value));
    }
    Ok(call)
}
