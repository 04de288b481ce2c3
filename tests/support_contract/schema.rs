//! A small JSON Schema validator: the subset X's OpenAPI description and our hand-written
//! Mastodon description use (OpenAPI 3.0 flavour: `nullable`, `discriminator`). Keywords it does
//! not implement are reported as errors, never skipped, so a schema can not pass by accident.

use serde_json::Value;

/// Keywords that only annotate (nothing to check).
const ANNOTATIONS: &[&str] = &[
    "description",
    "example",
    "default",
    "title",
    "readOnly",
    "writeOnly",
    "deprecated",
    "externalDocs",
];

/// Keywords checked below.
const CHECKED: &[&str] = &[
    "$ref",
    "type",
    "nullable",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "oneOf",
    "discriminator",
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "uniqueItems",
];

/// Validates values against schemas whose `$ref`s are JSON pointers into `root`
/// (`#/components/schemas/User`, `#/entities/Account`).
pub struct Schemas<'a> {
    pub root: &'a Value,
    /// An object with declared `properties` and no `additionalProperties` refuses undeclared
    /// fields (the fakes must not invent fields the platform does not document).
    pub strict: bool,
}

impl Schemas<'_> {
    /// Every mismatch of `value` against `schema`, each naming where (`$.data[0].id`).
    pub fn errors(&self, schema: &Value, value: &Value) -> Vec<String> {
        let mut errs = Vec::new();
        self.validate(schema, value, "$", &mut errs);
        errs
    }

    fn resolve<'s>(&'s self, reference: &str) -> Result<&'s Value, String> {
        reference
            .strip_prefix('#')
            .and_then(|pointer| self.root.pointer(pointer))
            .ok_or_else(|| format!("$ref {reference} does not resolve"))
    }

    pub fn validate(&self, schema: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
        let Some(s) = schema.as_object() else {
            errs.push(format!("{at}: schema is not an object"));
            return;
        };
        for key in s.keys() {
            if !CHECKED.contains(&key.as_str()) && !ANNOTATIONS.contains(&key.as_str()) {
                errs.push(format!("{at}: schema keyword {key:?} is not implemented"));
            }
        }
        if v.is_null() && s.get("nullable") == Some(&Value::Bool(true)) {
            return;
        }
        if let Some(reference) = s.get("$ref").and_then(Value::as_str) {
            match self.resolve(reference) {
                Ok(target) => self.validate(target, v, at, errs),
                Err(e) => errs.push(format!("{at}: {e}")),
            }
            return;
        }
        if let Some(options) = s.get("oneOf").and_then(Value::as_array) {
            self.one_of(s, options, v, at, errs);
            return;
        }
        if let Some(t) = s.get("type").and_then(Value::as_str) {
            if !type_matches(t, v) {
                errs.push(format!("{at}: {} where the schema says {t}", kind(v)));
                return;
            }
        }
        if let Some(allowed) = s.get("enum").and_then(Value::as_array) {
            if !allowed.contains(v) {
                errs.push(format!(
                    "{at}: {v} is not one of {}",
                    Value::from(allowed.clone())
                ));
            }
        }
        match v {
            Value::Object(map) => self.object(s, map, at, errs),
            Value::Array(items) => self.array(s, items, at, errs),
            Value::String(text) => string(s, text, at, errs),
            Value::Number(n) => {
                let n = n.as_f64().unwrap_or(f64::NAN);
                if s.get("minimum")
                    .and_then(Value::as_f64)
                    .is_some_and(|m| n < m)
                {
                    errs.push(format!("{at}: {n} is below the minimum {}", s["minimum"]));
                }
                if s.get("maximum")
                    .and_then(Value::as_f64)
                    .is_some_and(|m| n > m)
                {
                    errs.push(format!("{at}: {n} is above the maximum {}", s["maximum"]));
                }
            }
            _ => {}
        }
    }

    fn one_of(
        &self,
        s: &serde_json::Map<String, Value>,
        options: &[Value],
        v: &Value,
        at: &str,
        errs: &mut Vec<String>,
    ) {
        if let Some(d) = s.get("discriminator") {
            let property = d["propertyName"].as_str().unwrap_or_default();
            let tag = v.get(property).and_then(Value::as_str).unwrap_or_default();
            match d["mapping"].get(tag).and_then(Value::as_str) {
                Some(reference) => {
                    self.validate(&serde_json::json!({ "$ref": reference }), v, at, errs)
                }
                None => errs.push(format!("{at}: {property} {tag:?} is none of the oneOf")),
            }
            return;
        }
        let fits = options
            .iter()
            .filter(|o| {
                let mut e = Vec::new();
                self.validate(o, v, at, &mut e);
                e.is_empty()
            })
            .count();
        if fits != 1 {
            errs.push(format!(
                "{at}: fits {fits} of the oneOf schemas, not exactly 1"
            ));
        }
    }

    fn object(
        &self,
        s: &serde_json::Map<String, Value>,
        map: &serde_json::Map<String, Value>,
        at: &str,
        errs: &mut Vec<String>,
    ) {
        for name in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = name.as_str().unwrap_or_default();
            if !map.contains_key(name) {
                errs.push(format!("{at}: required field {name:?} is missing"));
            }
        }
        let props = s.get("properties").and_then(Value::as_object);
        let refuse_others = match s.get("additionalProperties") {
            Some(Value::Bool(allowed)) => !allowed,
            Some(_) => false,
            None => self.strict && props.is_some(),
        };
        for (name, value) in map {
            match props.and_then(|p| p.get(name)) {
                Some(p) => self.validate(p, value, &format!("{at}.{name}"), errs),
                None if refuse_others => {
                    errs.push(format!("{at}: field {name:?} is not in the description"))
                }
                None => {}
            }
        }
    }

    fn array(
        &self,
        s: &serde_json::Map<String, Value>,
        items: &[Value],
        at: &str,
        errs: &mut Vec<String>,
    ) {
        let n = items.len() as u64;
        if s.get("minItems")
            .and_then(Value::as_u64)
            .is_some_and(|m| n < m)
        {
            errs.push(format!("{at}: {n} items, fewer than {}", s["minItems"]));
        }
        if s.get("maxItems")
            .and_then(Value::as_u64)
            .is_some_and(|m| n > m)
        {
            errs.push(format!("{at}: {n} items, more than {}", s["maxItems"]));
        }
        if s.get("uniqueItems") == Some(&Value::Bool(true)) {
            for (i, item) in items.iter().enumerate() {
                if items[..i].contains(item) {
                    errs.push(format!("{at}[{i}]: {item} repeats"));
                }
            }
        }
        if let Some(item_schema) = s.get("items") {
            for (i, item) in items.iter().enumerate() {
                self.validate(item_schema, item, &format!("{at}[{i}]"), errs);
            }
        }
    }
}

fn string(s: &serde_json::Map<String, Value>, text: &str, at: &str, errs: &mut Vec<String>) {
    let n = text.chars().count() as u64;
    if s.get("minLength")
        .and_then(Value::as_u64)
        .is_some_and(|m| n < m)
    {
        errs.push(format!("{at}: {text:?} is shorter than {}", s["minLength"]));
    }
    if s.get("maxLength")
        .and_then(Value::as_u64)
        .is_some_and(|m| n > m)
    {
        errs.push(format!(
            "{at}: {n} characters, more than {}",
            s["maxLength"]
        ));
    }
    if let Some(pattern) = s.get("pattern").and_then(Value::as_str) {
        match pattern_matches(pattern, text) {
            Ok(true) => {}
            Ok(false) => errs.push(format!("{at}: {text:?} does not match {pattern}")),
            Err(e) => errs.push(format!("{at}: {e}")),
        }
    }
    match s.get("format").and_then(Value::as_str) {
        Some("date-time") if chrono::DateTime::parse_from_rfc3339(text).is_err() => {
            errs.push(format!("{at}: {text:?} is not an RFC 3339 date-time"))
        }
        Some("date") if chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err() => {
            errs.push(format!("{at}: {text:?} is not a date (YYYY-MM-DD)"))
        }
        _ => {}
    }
}

fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        _ => false,
    }
}

/// The JSON kind of a value, for messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Matches the one pattern shape the X description uses: `^[set]{min,max}$` where the set
/// holds characters and `a-z` ranges. Any other pattern is an error (implement it when needed).
pub fn pattern_matches(pattern: &str, text: &str) -> Result<bool, String> {
    let unsupported = || format!("pattern {pattern:?} is not supported by this checker");
    let body = pattern
        .strip_prefix("^[")
        .and_then(|p| p.strip_suffix('$'))
        .ok_or_else(unsupported)?;
    let (set, count) = body.split_once("]{").ok_or_else(unsupported)?;
    let (min, max) = count
        .strip_suffix('}')
        .and_then(|c| c.split_once(','))
        .ok_or_else(unsupported)?;
    let (min, max): (usize, usize) = (
        min.parse().map_err(|_| unsupported())?,
        max.parse().map_err(|_| unsupported())?,
    );
    let chars: Vec<char> = set.chars().collect();
    let mut allowed: Vec<(char, char)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if i + 2 < chars.len() && chars[i + 1] == '-' {
            allowed.push((chars[i], chars[i + 2]));
            i += 3;
        } else {
            allowed.push((chars[i], chars[i]));
            i += 1;
        }
    }
    let n = text.chars().count();
    Ok((min..=max).contains(&n)
        && text
            .chars()
            .all(|c| allowed.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c))))
}
