//! The YouTube contract: exchanges against `tests/fixtures/youtube/documented_parameters.json`,
//! our transcription of the Data API v3 reference (each method's documented parameters, its
//! `part` values and filters, its quota cost and the resource it returns; the error shape).
//! A request must carry only documented parameters (or Google's standard ones, `key`
//! included), every required one, one filter exactly where the method has filters, and the
//! API key in `key` (never an `Authorization` header: a key is not an OAuth token).

use serde_json::Value;

use super::schema::Schemas;
use super::{Contract, Exchange};

pub struct YoutubeContract {
    pub doc: Value,
}

impl YoutubeContract {
    pub fn load() -> YoutubeContract {
        YoutubeContract {
            doc: super::json_fixture("youtube/documented_parameters.json"),
        }
    }

    pub fn schemas(&self) -> Schemas<'_> {
        Schemas {
            root: &self.doc,
            strict: true,
        }
    }

    /// Mismatches of `value` against resource `name` (`ChannelListResponse`, ...).
    pub fn resource_errors(&self, name: &str, value: &Value) -> Vec<String> {
        self.schemas().errors(
            &serde_json::json!({ "$ref": format!("#/resources/{name}") }),
            value,
        )
    }

    fn endpoint(&self, method: &str, path: &str) -> Option<&Value> {
        self.doc["endpoints"]
            .as_array()?
            .iter()
            .find(|e| e["method"] == method && e["path"] == path)
    }

    fn check_request(&self, endpoint: &Value, ex: &Exchange) -> Vec<String> {
        let mut errs = Vec::new();
        let params = endpoint["params"].as_object().cloned().unwrap_or_default();
        let standard: Vec<&str> = self.doc["standard_params"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut seen = Vec::new();
        for (name, value) in &ex.query {
            if seen.contains(name) {
                errs.push(format!("query parameter {name:?} is repeated"));
            }
            seen.push(name.clone());
            if standard.contains(&name.as_str()) {
                continue;
            }
            let Some(schema) = params.get(name) else {
                errs.push(format!(
                    "parameter {name:?} is not documented for this method"
                ));
                continue;
            };
            let mut schema = schema.clone();
            if let Some(map) = schema.as_object_mut() {
                map.remove("required");
            }
            let typed = match schema["type"].as_str() {
                Some("integer") => value
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| Value::String(value.clone())),
                Some("boolean") => match value.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => Value::String(value.clone()),
                },
                _ => Value::String(value.clone()),
            };
            for e in self.schemas().errors(&schema, &typed) {
                errs.push(format!("parameter {name}: {e}"));
            }
        }
        for (name, p) in &params {
            if p["required"] == true && !seen.contains(name) {
                errs.push(format!("required parameter {name:?} is missing"));
            }
        }
        let part_values: Vec<&str> = endpoint["part_values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if let Some((_, part)) = ex.query.iter().find(|(k, _)| k == "part") {
            for p in part.split(',') {
                if !part_values.contains(&p.trim()) {
                    errs.push(format!("part {p:?} is not a part of this resource"));
                }
            }
        }
        let filters: Vec<&str> = endpoint["filters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let given = filters
            .iter()
            .filter(|f| seen.iter().any(|s| s == *f))
            .count();
        if !filters.is_empty() && given != 1 {
            errs.push(format!(
                "{given} filters given; the method takes exactly one of {filters:?}"
            ));
        }
        if !seen.iter().any(|s| s == "key") {
            errs.push("no API key in `key`".into());
        }
        if ex.header("authorization").is_some() {
            errs.push("an Authorization header was sent with an API key".into());
        }
        errs
    }
}

impl Contract for YoutubeContract {
    fn check(&self, ex: &Exchange) -> Result<String, Vec<String>> {
        let Some(endpoint) = self.endpoint(&ex.method, &ex.path) else {
            return Err(vec!["this method is not in the Data API reference".into()]);
        };
        let mut errs = self.check_request(endpoint, ex);
        match ex.json_response() {
            Some(body) if ex.status == 200 => {
                errs.extend(self.schemas().errors(&endpoint["response"], &body))
            }
            Some(body) => errs.extend(self.resource_errors("ErrorResponse", &body)),
            None => errs.push("the answer is not JSON".into()),
        }
        if errs.is_empty() {
            Ok(format!("{} {}", ex.method, ex.path))
        } else {
            Err(errs)
        }
    }
}
