//! A minimal OpenAPI 3 checker for the X operations in `tests/fixtures/x/` and the PLC
//! directory's in `tests/fixtures/bluesky/plc/`: finds the operation by method and path
//! template, checks query and path parameters (name, `in`, required, schema with enum, pattern
//! and ranges; `style: form, explode: false` arrays split on commas), that a security scheme's
//! credentials are sent, and the answer against the response schema (the status's response,
//! else `default`, itself possibly a `$ref`; the media type the answer's Content-Type names),
//! with `$ref`s into `components`.

use serde_json::Value;

use super::schema::Schemas;
use super::{Contract, Exchange};

pub struct OpenApi {
    pub doc: Value,
    /// Whether objects refuse undeclared fields (see [`Schemas::strict`]).
    pub strict: bool,
}

/// An operation found for a request: its path template, the operation, the path parameters.
type Found<'a> = (String, &'a Value, Vec<(String, String)>);

impl OpenApi {
    pub fn load(fixture: &str) -> OpenApi {
        OpenApi {
            doc: super::json_fixture(fixture),
            strict: true,
        }
    }

    /// A description whose objects allow undeclared fields, as OpenAPI reads them (for a
    /// description that leaves out fields its own server sends).
    pub fn load_open(fixture: &str) -> OpenApi {
        OpenApi {
            strict: false,
            ..OpenApi::load(fixture)
        }
    }

    pub fn schemas(&self) -> Schemas<'_> {
        Schemas {
            root: &self.doc,
            strict: self.strict,
        }
    }

    /// The path template and operation serving `method path`, with the path parameters.
    fn operation(&self, method: &str, path: &str) -> Option<Found<'_>> {
        let paths = self.doc["paths"].as_object()?;
        let wanted: Vec<&str> = path.split('/').collect();
        for (template, item) in paths {
            let parts: Vec<&str> = template.split('/').collect();
            if parts.len() != wanted.len() {
                continue;
            }
            let mut vars = Vec::new();
            let fits = parts.iter().zip(&wanted).all(|(t, w)| {
                match t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                    Some(name) => {
                        vars.push((name.to_string(), w.to_string()));
                        !w.is_empty()
                    }
                    None => t == w,
                }
            });
            if let Some(op) = item.get(method.to_ascii_lowercase()).filter(|_| fits) {
                return Some((template.clone(), op, vars));
            }
        }
        None
    }

    fn parameter<'a>(&'a self, p: &'a Value) -> &'a Value {
        p.get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|r| self.doc.pointer(r))
            .unwrap_or(p)
    }

    /// Mismatches of the request's parameters and credentials against operation `op`.
    pub fn check_request(
        &self,
        op: &Value,
        ex: &Exchange,
        path_vars: &[(String, String)],
    ) -> Vec<String> {
        let mut errs = Vec::new();
        let params: Vec<&Value> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| self.parameter(p))
            .collect();
        let declared = |name: &str, place: &str| {
            params
                .iter()
                .find(|p| p["name"] == name && p["in"] == place)
                .copied()
        };
        for p in &params {
            let name = p["name"].as_str().unwrap_or_default();
            let present = match p["in"].as_str() {
                Some("query") => ex.query.iter().any(|(k, _)| k == name),
                Some("path") => path_vars.iter().any(|(k, _)| k == name),
                _ => true,
            };
            if p["required"] == true && !present {
                errs.push(format!(
                    "required {} parameter {name:?} is missing",
                    p["in"]
                ));
            }
        }
        let mut seen = Vec::new();
        for (name, text) in &ex.query {
            if seen.contains(name) {
                errs.push(format!("query parameter {name:?} is repeated"));
                continue;
            }
            seen.push(name.clone());
            match declared(name, "query") {
                Some(p) => self.check_value(p, text, &mut errs),
                None => errs.push(format!("query parameter {name:?} is not in the operation")),
            }
        }
        for (name, text) in path_vars {
            match declared(name, "path") {
                Some(p) => self.check_value(p, text, &mut errs),
                None => errs.push(format!("path parameter {name:?} is not in the operation")),
            }
        }
        if op["security"].as_array().is_some_and(|s| !s.is_empty()) {
            let auth = ex.header("authorization").unwrap_or_default();
            if !(auth.starts_with("Bearer ") || auth.starts_with("OAuth ")) {
                errs.push("the operation needs credentials and no Authorization was sent".into());
            }
        }
        errs
    }

    fn check_value(&self, p: &Value, text: &str, errs: &mut Vec<String>) {
        let schema = &p["schema"];
        let value = if schema["type"] == "array" {
            if p["explode"] != false || p["style"] != "form" {
                errs.push(format!(
                    "{}: only form, explode=false arrays are implemented",
                    p["name"]
                ));
                return;
            }
            let items = self.resolved(&schema["items"]);
            Value::Array(text.split(',').map(|t| typed(items, t)).collect())
        } else {
            typed(schema, text)
        };
        for e in self.schemas().errors(schema, &value) {
            errs.push(format!("parameter {}: {e}", p["name"]));
        }
    }

    fn resolved<'a>(&'a self, schema: &'a Value) -> &'a Value {
        self.parameter(schema)
    }

    /// Mismatches of an answer against the operation's response schema.
    pub fn check_response(
        &self,
        op: &Value,
        status: u16,
        content_type: &str,
        body: &Value,
    ) -> Vec<String> {
        let responses = &op["responses"];
        let response = self.parameter(
            responses
                .get(status.to_string())
                .unwrap_or(&responses["default"]),
        );
        let media = match content_type.split(';').next().unwrap_or_default().trim() {
            "" => "application/json",
            named => named,
        };
        match response["content"][media].get("schema") {
            Some(schema) => self.schemas().errors(schema, body),
            None => vec![format!(
                "no {media} answer is described for status {status}"
            )],
        }
    }
}

/// A parameter's text as its schema type reads it (unparsable text stays a string).
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

impl Contract for OpenApi {
    fn check(&self, ex: &Exchange) -> Result<String, Vec<String>> {
        let Some((template, op, vars)) = self.operation(&ex.method, &ex.path) else {
            return Err(vec![format!(
                "{} {} is not in the OpenAPI description",
                ex.method, ex.path
            )]);
        };
        let mut errs = self.check_request(op, ex, &vars);
        match ex.json_response() {
            Some(body) => {
                let content_type = ex.response_header("content-type").unwrap_or_default();
                errs.extend(self.check_response(op, ex.status, content_type, &body));
            }
            None => errs.push("the answer is not JSON".into()),
        }
        if errs.is_empty() {
            Ok(format!(
                "{} {template} ({})",
                ex.method,
                op["operationId"].as_str().unwrap_or("?")
            ))
        } else {
            Err(errs)
        }
    }
}
