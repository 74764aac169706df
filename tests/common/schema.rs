//! A small JSON Schema checker shared by the schema tests (report.json, assessment.json).

use serde_json::Value;

/// A small JSON Schema checker for the keywords the schema uses: type, enum, required,
/// properties, items, additionalProperties.
pub fn check(schema: &Value, v: &Value, path: &str, errs: &mut Vec<String>) {
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let ok = types.iter().any(|t| match *t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "number" => v.is_number(),
            "integer" => v.is_u64() || v.is_i64(),
            "boolean" => v.is_boolean(),
            "null" => v.is_null(),
            _ => false,
        });
        if !ok {
            errs.push(format!("{path}: {v} is not {types:?}"));
            return;
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            errs.push(format!("{path}: {v} not in {e:?}"));
        }
    }
    if let (Some(req), Some(obj)) = (schema.get("required").and_then(Value::as_array), v.as_object()) {
        for r in req.iter().filter_map(Value::as_str) {
            if !obj.contains_key(r) {
                errs.push(format!("{path}: missing {r}"));
            }
        }
    }
    if let Some(obj) = v.as_object() {
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, val) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(s) => check(s, val, &format!("{path}.{k}"), errs),
                None => match schema.get("additionalProperties") {
                    Some(s) if s.is_object() => check(s, val, &format!("{path}.{k}"), errs),
                    _ if props.is_some() => errs.push(format!("{path}: unexpected field {k}")),
                    _ => {}
                },
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, x) in arr.iter().enumerate() {
            check(items, x, &format!("{path}[{i}]"), errs);
        }
    }
}
