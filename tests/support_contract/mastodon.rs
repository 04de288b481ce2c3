//! The Mastodon contract: exchanges against `tests/fixtures/mastodon/api.json`, our JSON
//! transcription of the official documentation (each endpoint's documented parameters, its
//! OAuth requirement and the entity it returns; the entities' attributes and types).
//! Parameters come from the query string (GET) or from a JSON or form body (POST: the
//! documentation accepts JSON for form-data parameters, `client/intro.md#json`).

use serde_json::{Map, Value};

use super::schema::Schemas;
use super::{Contract, Exchange};

pub struct MastodonContract {
    pub doc: Value,
}

impl MastodonContract {
    pub fn load() -> MastodonContract {
        MastodonContract {
            doc: super::json_fixture("mastodon/api.json"),
        }
    }

    pub fn schemas(&self) -> Schemas<'_> {
        Schemas {
            root: &self.doc,
            strict: true,
        }
    }

    /// Mismatches of `value` against entity `name` (`Account`, `Instance`, ...).
    pub fn entity_errors(&self, name: &str, value: &Value) -> Vec<String> {
        self.schemas().errors(
            &serde_json::json!({ "$ref": format!("#/entities/{name}") }),
            value,
        )
    }

    fn endpoint(&self, method: &str, path: &str) -> Option<&Value> {
        let wanted: Vec<&str> = path.split('/').collect();
        self.doc["endpoints"].as_array()?.iter().find(|e| {
            let parts: Vec<&str> = e["path"].as_str().unwrap_or_default().split('/').collect();
            e["method"] == method
                && parts.len() == wanted.len()
                && parts
                    .iter()
                    .zip(&wanted)
                    .all(|(p, w)| p == w || (p.starts_with(':') && !w.is_empty()))
        })
    }

    /// The parameters the request carried: query pairs, or the body's fields.
    fn sent_params(endpoint: &Value, ex: &Exchange) -> Result<Map<String, Value>, String> {
        let mut out = Map::new();
        if endpoint["params_in"] == "body" {
            if let Some(Value::Object(map)) = ex.json_body() {
                let json = ex
                    .header("content-type")
                    .is_some_and(|c| c.starts_with("application/json"));
                if !json {
                    return Err("a JSON body sent without Content-Type application/json".into());
                }
                return Ok(map);
            }
            for (k, v) in url::form_urlencoded::parse(&ex.body) {
                out.insert(k.into_owned(), Value::String(v.into_owned()));
            }
            return Ok(out);
        }
        for (k, v) in &ex.query {
            if out.insert(k.clone(), Value::String(v.clone())).is_some() && !k.ends_with("[]") {
                return Err(format!("query parameter {k:?} is repeated"));
            }
        }
        Ok(out)
    }

    fn check_request(&self, endpoint: &Value, ex: &Exchange) -> Vec<String> {
        let mut errs = Vec::new();
        let sent = match Self::sent_params(endpoint, ex) {
            Ok(sent) => sent,
            Err(e) => return vec![e],
        };
        let params = endpoint["params"].as_object().cloned().unwrap_or_default();
        for (name, p) in &params {
            let present = sent.contains_key(name)
                || name
                    .strip_suffix("[]")
                    .is_some_and(|n| sent.contains_key(n));
            if p["required"] == true && !present {
                errs.push(format!("required parameter {name:?} is missing"));
            }
        }
        let bearer = ex
            .header("authorization")
            .is_some_and(|a| a.starts_with("Bearer "));
        for (name, value) in &sent {
            let declared = params
                .get(name)
                .or_else(|| params.get(&format!("{name}[]")));
            let Some(p) = declared else {
                errs.push(format!(
                    "parameter {name:?} is not documented for this endpoint"
                ));
                continue;
            };
            let mut schema = p.clone();
            if let Some(map) = schema.as_object_mut() {
                map.remove("required");
            }
            let value = match value {
                Value::String(text) => typed(&schema, text),
                other => other.clone(),
            };
            for e in self.schemas().errors(&schema, &value) {
                errs.push(format!("parameter {name}: {e}"));
            }
            let needs_user = endpoint["user_token_params"]
                .as_array()
                .is_some_and(|l| l.iter().any(|n| n == name.as_str()));
            if needs_user && !bearer {
                errs.push(format!("{name:?} needs a user token and none was sent"));
            }
        }
        if endpoint["requires_bearer"] == true && !bearer {
            errs.push("the endpoint needs a user token and none was sent".into());
        }
        errs
    }
}

/// A parameter's text as its documented type reads it (unparsable text stays a string).
fn typed(schema: &Value, text: &str) -> Value {
    match schema["type"].as_str() {
        Some("integer") => text
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| text.into()),
        Some("boolean") => match text {
            "true" => true.into(),
            "false" => false.into(),
            _ => text.into(),
        },
        _ => text.into(),
    }
}

impl Contract for MastodonContract {
    fn check(&self, ex: &Exchange) -> Result<String, Vec<String>> {
        let Some(endpoint) = self.endpoint(&ex.method, &ex.path) else {
            return Err(vec![format!("{} {} is not documented", ex.method, ex.path)]);
        };
        let mut errs = self.check_request(endpoint, ex);
        match ex.json_response() {
            Some(body) if (200..300).contains(&ex.status) => {
                errs.extend(self.schemas().errors(&endpoint["response"], &body))
            }
            Some(body) => errs.extend(self.entity_errors("Error", &body)),
            None => errs.push("the answer is not JSON".into()),
        }
        if errs.is_empty() {
            Ok(format!(
                "{} {}",
                ex.method,
                endpoint["path"].as_str().unwrap_or_default()
            ))
        } else {
            Err(errs)
        }
    }
}
