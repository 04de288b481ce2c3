//! A minimal AT Protocol lexicon validator, implementing what the lexicons in
//! `tests/fixtures/bluesky/lexicons/` use: query parameters (types, required, lengths, ranges,
//! knownValues, formats), procedure input and output objects with refs within and across the
//! lexicon files, and unions. The Bluesky [`Contract`] checks XRPC exchanges with it.
//!
//! `knownValues` are checked strictly (the lexicon calls them open, but neither our clients nor
//! our fakes have any reason to send a value the lexicon does not know); `maxGraphemes` counts
//! Unicode scalar values (an upper bound of graphemes, enough for our data).

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::schema::kind;
use super::{Contract, Exchange};

pub struct Lexicons {
    docs: HashMap<String, Value>,
}

impl Lexicons {
    /// Every `*.json` lexicon under `tests/fixtures/bluesky/lexicons/`.
    pub fn load() -> Lexicons {
        let mut docs = HashMap::new();
        load_dir(&super::fixture("bluesky/lexicons"), &mut docs);
        Lexicons { docs }
    }

    /// The def a reference names, seen from lexicon `ctx`: `#name`, `nsid#name` or `nsid`.
    fn def(&self, ctx: &str, reference: &str) -> Result<(String, &Value), String> {
        let (nsid, name) = match reference.split_once('#') {
            Some(("", name)) => (ctx, name),
            Some((nsid, name)) => (nsid, name),
            None => (reference, "main"),
        };
        let doc = self.docs.get(nsid).ok_or_else(|| {
            format!(
                "lexicon {nsid} is not among the fixtures (copy it from bluesky-social/atproto)"
            )
        })?;
        doc["defs"]
            .get(name)
            .map(|d| (nsid.to_string(), d))
            .ok_or_else(|| format!("{nsid} has no def {name:?}"))
    }

    fn main(&self, nsid: &str) -> Result<&Value, String> {
        self.def(nsid, nsid).map(|(_, d)| d)
    }

    /// Mismatches of query parameters against the method's `parameters`.
    pub fn check_params(&self, nsid: &str, pairs: &[(String, String)]) -> Vec<String> {
        let main = match self.main(nsid) {
            Ok(m) => m,
            Err(e) => return vec![e],
        };
        let empty = Map::new();
        let props = main["parameters"]["properties"]
            .as_object()
            .unwrap_or(&empty);
        let mut errs = Vec::new();
        for name in main["parameters"]["required"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let name = name.as_str().unwrap_or_default();
            if !pairs.iter().any(|(k, _)| k == name) {
                errs.push(format!("required parameter {name:?} is missing"));
            }
        }
        let mut seen: Vec<&str> = Vec::new();
        for (name, value) in pairs {
            let Some(p) = props.get(name) else {
                errs.push(format!(
                    "parameter {name:?} is not in the lexicon of {nsid}"
                ));
                continue;
            };
            let at = format!("parameter {name}");
            if p["type"] == "array" {
                if !seen.contains(&name.as_str()) {
                    seen.push(name);
                    let values: Vec<Value> = pairs
                        .iter()
                        .filter(|(k, _)| k == name)
                        .map(|(_, v)| param_value(&p["items"], v))
                        .collect();
                    self.validate(nsid, p, &Value::Array(values), &at, &mut errs);
                }
            } else if seen.contains(&name.as_str()) {
                errs.push(format!("{at} is repeated but is not an array"));
            } else {
                seen.push(name);
                self.validate(nsid, p, &param_value(p, value), &at, &mut errs);
            }
        }
        errs
    }

    /// Mismatches of a procedure's JSON input against its `input.schema`.
    pub fn check_input(&self, nsid: &str, body: &Value) -> Vec<String> {
        self.check_body(nsid, "input", body)
    }

    /// Mismatches of a method's JSON output against its `output.schema`.
    pub fn check_output(&self, nsid: &str, body: &Value) -> Vec<String> {
        self.check_body(nsid, "output", body)
    }

    fn check_body(&self, nsid: &str, which: &str, body: &Value) -> Vec<String> {
        let mut errs = Vec::new();
        match self.main(nsid) {
            Ok(main) => match main[which].get("schema") {
                Some(schema) => self.validate(nsid, schema, body, which, &mut errs),
                None => errs.push(format!("{nsid} declares no {which} schema")),
            },
            Err(e) => errs.push(e),
        }
        errs
    }

    /// Mismatches of a record (its `$type` and fields) against record lexicon `nsid`.
    pub fn check_record(&self, nsid: &str, record: &Value) -> Vec<String> {
        let mut errs = Vec::new();
        if record["$type"] != nsid {
            errs.push(format!("record $type {} is not {nsid}", record["$type"]));
        }
        match self.main(nsid) {
            Ok(main) if main["type"] == "record" => {
                self.validate(nsid, &main["record"], record, "record", &mut errs)
            }
            Ok(_) => errs.push(format!("{nsid} is not a record lexicon")),
            Err(e) => errs.push(e),
        }
        errs
    }

    /// Mismatches of a record's `at://<did>/<collection>/<rkey>` URI against the collection's
    /// record lexicon: the collection must be a record lexicon, and the record key must have the
    /// syntax its `key` declares (`tid`, `literal:<value>`, or `any` record key).
    pub fn check_record_uri(&self, uri: &str) -> Vec<String> {
        let parts: Vec<&str> = uri.strip_prefix("at://").unwrap_or("").split('/').collect();
        let [authority, collection, rkey] = parts[..] else {
            return vec![format!("{uri:?} is not at://<did>/<collection>/<rkey>")];
        };
        let mut errs = Vec::new();
        if check_format("did", authority).is_err() {
            errs.push(format!("{uri:?}: the authority {authority:?} is not a DID"));
        }
        match self.main(collection) {
            Ok(main) if main["type"] == "record" => match main["key"].as_str().unwrap_or("any") {
                "tid" if !is_tid(rkey) => errs.push(format!(
                    "{uri:?}: record key {rkey:?} is not a TID, which {collection} keys are"
                )),
                key => match key.strip_prefix("literal:") {
                    Some(literal) if rkey != literal => errs.push(format!(
                        "{uri:?}: record key {rkey:?} is not the literal {literal:?}"
                    )),
                    _ => {}
                },
            },
            Ok(_) => errs.push(format!("{uri:?}: {collection} is not a record lexicon")),
            Err(e) => errs.push(format!("{uri:?}: {e}")),
        }
        errs
    }

    /// Validates `v` against the lexicon type `t` of lexicon `ctx`.
    pub fn validate(&self, ctx: &str, t: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
        let ty = t["type"].as_str().unwrap_or_default();
        match ty {
            "ref" => match self.def(ctx, t["ref"].as_str().unwrap_or_default()) {
                Ok((nsid, def)) => self.validate(&nsid, def, v, at, errs),
                Err(e) => errs.push(format!("{at}: {e}")),
            },
            "union" => self.union(ctx, t, v, at, errs),
            "object" => self.object(ctx, t, v, at, errs),
            "array" => match v.as_array() {
                Some(items) => {
                    let n = items.len() as u64;
                    if t["maxLength"].as_u64().is_some_and(|m| n > m) {
                        errs.push(format!("{at}: {n} items, more than {}", t["maxLength"]));
                    }
                    if t["minLength"].as_u64().is_some_and(|m| n < m) {
                        errs.push(format!("{at}: {n} items, fewer than {}", t["minLength"]));
                    }
                    for (i, item) in items.iter().enumerate() {
                        self.validate(ctx, &t["items"], item, &format!("{at}[{i}]"), errs);
                    }
                }
                None => errs.push(format!("{at}: {} where the lexicon says array", kind(v))),
            },
            "string" => match v.as_str() {
                Some(s) => string(t, s, at, errs),
                None => errs.push(format!("{at}: {} where the lexicon says string", kind(v))),
            },
            "integer" => match v.as_i64() {
                Some(n) => {
                    if t["minimum"].as_i64().is_some_and(|m| n < m) {
                        errs.push(format!("{at}: {n} is below the minimum {}", t["minimum"]));
                    }
                    if t["maximum"].as_i64().is_some_and(|m| n > m) {
                        errs.push(format!("{at}: {n} is above the maximum {}", t["maximum"]));
                    }
                    one_of(t, v, at, errs);
                }
                None => errs.push(format!("{at}: {} where the lexicon says integer", kind(v))),
            },
            "boolean" => match v.as_bool() {
                Some(_) => one_of(t, v, at, errs),
                None => errs.push(format!("{at}: {} where the lexicon says boolean", kind(v))),
            },
            "blob" => blob(t, v, at, errs),
            "unknown" => {
                if !v.is_object() {
                    errs.push(format!(
                        "{at}: {} where the lexicon says unknown (an object)",
                        kind(v)
                    ));
                }
            }
            other => errs.push(format!("{at}: lexicon type {other:?} is not implemented")),
        }
    }

    fn union(&self, ctx: &str, t: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
        let Some(tag) = v.get("$type").and_then(Value::as_str) else {
            errs.push(format!("{at}: a union member needs a $type"));
            return;
        };
        let full = |r: &str| -> String {
            let r = if r.starts_with('#') {
                format!("{ctx}{r}")
            } else {
                r.to_string()
            };
            r.strip_suffix("#main").map(str::to_string).unwrap_or(r)
        };
        let wanted = full(tag);
        let refs: Vec<&str> = t["refs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        match refs.iter().find(|r| full(r) == wanted) {
            Some(r) => match self.def(ctx, r) {
                Ok((nsid, def)) => self.validate(&nsid, def, v, at, errs),
                Err(e) => errs.push(format!("{at}: {e}")),
            },
            None => errs.push(format!("{at}: $type {tag:?} is not one of {refs:?}")),
        }
    }

    fn object(&self, ctx: &str, t: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
        let Some(map) = v.as_object() else {
            errs.push(format!("{at}: {} where the lexicon says object", kind(v)));
            return;
        };
        for name in t["required"].as_array().into_iter().flatten() {
            let name = name.as_str().unwrap_or_default();
            if !map.contains_key(name) {
                errs.push(format!("{at}: required field {name:?} is missing"));
            }
        }
        let nullable: Vec<&str> = t["nullable"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        for (name, value) in map {
            if name == "$type" {
                continue;
            }
            match t["properties"].get(name) {
                None => errs.push(format!("{at}: field {name:?} is not in the lexicon")),
                Some(_) if value.is_null() && nullable.contains(&name.as_str()) => {}
                Some(p) => self.validate(ctx, p, value, &format!("{at}.{name}"), errs),
            }
        }
    }
}

/// A blob reference: `{$type: "blob", ref: {$link: cid}, mimeType, size}` within the
/// field's `accept` and `maxSize`.
fn blob(t: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
    if v["$type"] != "blob" {
        errs.push(format!(
            "{at}: a blob needs $type \"blob\", not {}",
            v["$type"]
        ));
    }
    if !v["ref"]["$link"]
        .as_str()
        .is_some_and(|cid| check_format("cid", cid).is_ok())
    {
        errs.push(format!("{at}: a blob needs ref.$link, a CID"));
    }
    let mime = v["mimeType"].as_str().unwrap_or_default();
    let accepted = t["accept"].as_array().map_or(true, |list| {
        list.iter()
            .filter_map(Value::as_str)
            .any(|a| match a.strip_suffix('*') {
                Some(prefix) => mime.starts_with(prefix),
                None => a == mime,
            })
    });
    if !accepted {
        errs.push(format!(
            "{at}: mimeType {mime:?} is not accepted ({})",
            t["accept"]
        ));
    }
    match v["size"].as_u64() {
        Some(size) if t["maxSize"].as_u64().is_some_and(|m| size > m) => errs.push(format!(
            "{at}: {size} bytes, more than maxSize {}",
            t["maxSize"]
        )),
        Some(_) => {}
        None => errs.push(format!("{at}: a blob needs an integer size")),
    }
}

fn load_dir(dir: &Path, docs: &mut HashMap<String, Value>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            load_dir(&path, docs);
        } else if path.extension().is_some_and(|e| e == "json") {
            let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let id = doc["id"].as_str().unwrap_or_default().to_string();
            docs.insert(id, doc);
        }
    }
}

/// A TID (atproto spec, "Record Key Type: tid"): 13 base32-sortable characters, the first
/// one of `234567abcdefghij` (the top bit is 0).
pub fn is_tid(s: &str) -> bool {
    const ALPHABET: &[u8] = b"234567abcdefghijklmnopqrstuvwxyz";
    s.len() == 13
        && s.bytes().enumerate().all(|(i, b)| match i {
            0 => ALPHABET[..16].contains(&b),
            _ => ALPHABET.contains(&b),
        })
}

/// A query parameter's text as the JSON value its lexicon type reads it as (unparsable
/// numbers and booleans stay strings, so the type check names them).
fn param_value(t: &Value, text: &str) -> Value {
    match t["type"].as_str() {
        Some("integer") => text
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| text.into()),
        Some("boolean") => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => text.into(),
        },
        _ => text.into(),
    }
}

fn one_of(t: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
    if let Some(allowed) = t["enum"].as_array() {
        if !allowed.contains(v) {
            errs.push(format!("{at}: {v} is not one of the enum {}", t["enum"]));
        }
    }
    if let Some(c) = t.get("const") {
        if c != v {
            errs.push(format!("{at}: {v} is not the const {c}"));
        }
    }
}

fn string(t: &Value, s: &str, at: &str, errs: &mut Vec<String>) {
    let bytes = s.len() as u64;
    let graphemes = s.chars().count() as u64;
    if t["maxLength"].as_u64().is_some_and(|m| bytes > m) {
        errs.push(format!(
            "{at}: {bytes} bytes, more than maxLength {}",
            t["maxLength"]
        ));
    }
    if t["minLength"].as_u64().is_some_and(|m| bytes < m) {
        errs.push(format!(
            "{at}: {bytes} bytes, fewer than minLength {}",
            t["minLength"]
        ));
    }
    if t["maxGraphemes"].as_u64().is_some_and(|m| graphemes > m) {
        errs.push(format!(
            "{at}: {graphemes} characters, more than maxGraphemes {}",
            t["maxGraphemes"]
        ));
    }
    if let Some(known) = t["knownValues"].as_array() {
        if !known.iter().any(|k| k == s) {
            errs.push(format!("{at}: {s:?} is not among the knownValues"));
        }
    }
    one_of(t, &Value::from(s), at, errs);
    if let Some(format) = t["format"].as_str() {
        if let Err(e) = check_format(format, s) {
            errs.push(format!("{at}: {s:?} is not a valid {format} ({e})"));
        }
    }
}

/// Whether `s` has the syntax of lexicon string format `format`.
pub fn check_format(format: &str, s: &str) -> Result<(), String> {
    let ok = |b: bool, why: &str| if b { Ok(()) } else { Err(why.to_string()) };
    match format {
        "did" => {
            let mut parts = s.splitn(3, ':');
            let (scheme, method, rest) = (parts.next(), parts.next(), parts.next());
            ok(
                scheme == Some("did")
                    && method.is_some_and(|m| {
                        !m.is_empty() && m.bytes().all(|b| b.is_ascii_lowercase())
                    })
                    && rest.is_some_and(|r| !r.is_empty()),
                "did:<method>:<id>",
            )
        }
        "handle" => {
            let labels: Vec<&str> = s.split('.').collect();
            ok(
                s.len() <= 253
                    && labels.len() >= 2
                    && labels.iter().all(|l| {
                        !l.is_empty()
                            && l.len() <= 63
                            && !l.starts_with('-')
                            && !l.ends_with('-')
                            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    }),
                "a domain name of two or more ASCII labels",
            )
        }
        "at-identifier" => check_format("did", s).or_else(|_| check_format("handle", s)),
        "datetime" => ok(
            chrono::DateTime::parse_from_rfc3339(s).is_ok() && s.contains('T'),
            "RFC 3339 with a time zone",
        ),
        "uri" => ok(
            s.split_once(':').is_some_and(|(scheme, rest)| {
                !scheme.is_empty()
                    && scheme
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
                    && !rest.is_empty()
                    && !s.contains(char::is_whitespace)
            }),
            "scheme:rest without spaces",
        ),
        "at-uri" => ok(s.starts_with("at://") && s.len() > 5, "at://..."),
        // Lexicon spec, `language`: a BCP 47 tag, checked loosely (`en`, `pt-BR`, `i-default`,
        // `x-private`): a primary subtag of 2 or 3 letters (or the `i`/`x` singletons), then
        // subtags of 1 to 8 letters and digits.
        "language" => {
            let mut subtags = s.split('-');
            let primary = subtags.next().unwrap_or_default();
            let singleton = matches!(primary, "i" | "x" | "X");
            ok(
                (singleton
                    || ((2..=3).contains(&primary.len())
                        && primary.bytes().all(|b| b.is_ascii_alphabetic())))
                    && subtags.all(|t| {
                        (1..=8).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphanumeric())
                    }),
                "a BCP 47 language tag",
            )
        }
        "cid" => ok(
            s.len() >= 8 && s.bytes().all(|b| b.is_ascii_alphanumeric()),
            "a CID",
        ),
        other => Err(format!(
            "format {other:?} is not implemented by this validator"
        )),
    }
}

/// The Bluesky contract: XRPC exchanges against the copied lexicons (queries: parameters and
/// output; procedures: JSON input and output), errors in the XRPC error shape.
pub struct BlueskyContract {
    pub lexicons: Lexicons,
}

impl Contract for BlueskyContract {
    fn check(&self, ex: &Exchange) -> Result<String, Vec<String>> {
        let Some(nsid) = ex.path.strip_prefix("/xrpc/") else {
            return Err(vec![format!("{} is not an XRPC path", ex.path)]);
        };
        let main = self.lexicons.main(nsid).map_err(|e| vec![e])?;
        let mut errs = Vec::new();
        match (main["type"].as_str(), ex.method.as_str()) {
            (Some("query"), "GET") => errs.extend(self.lexicons.check_params(nsid, &ex.query)),
            (Some("procedure"), "POST") => {
                errs.extend(self.lexicons.check_params(nsid, &ex.query));
                if main.get("input").is_some() {
                    if !ex
                        .header("content-type")
                        .is_some_and(|c| c.starts_with("application/json"))
                    {
                        errs.push("the input is not sent as application/json".into());
                    }
                    match ex.json_body() {
                        Some(body) => errs.extend(self.lexicons.check_input(nsid, &body)),
                        None => errs.push("the input is not JSON".into()),
                    }
                }
            }
            (t, m) => errs.push(format!("{m} on a lexicon {t:?}")),
        }
        // Service proxying (XRPC spec): `atproto-proxy: <did>#<service id>`.
        if let Some(proxy) = ex.header("atproto-proxy") {
            let fits = proxy.split_once('#').is_some_and(|(did, service)| {
                check_format("did", did).is_ok() && !service.is_empty()
            });
            if !fits {
                errs.push(format!("atproto-proxy {proxy:?} is not <did>#<service id>"));
            }
        }
        match ex.json_response() {
            Some(body) if (200..300).contains(&ex.status) => {
                errs.extend(self.lexicons.check_output(nsid, &body))
            }
            Some(body) => {
                let error_ok = body["error"].is_string()
                    && body.get("message").map_or(true, Value::is_string)
                    && body.as_object().is_some_and(|m| m.len() <= 2);
                if !error_ok {
                    errs.push(format!("error answer {body} is not {{error, message?}}"));
                }
            }
            None => errs.push("the answer is not JSON".into()),
        }
        if errs.is_empty() {
            Ok(format!("{} {nsid}", ex.method))
        } else {
            Err(errs)
        }
    }
}
