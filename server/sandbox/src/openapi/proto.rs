//! `/openapi/v2` as protobuf (gnostic's `openapi.v2.Document`), which is all client-go's
//! `OpenAPISchema` accepts and what kubectl 1.27 and 1.28 read before `apply`.
//!
//! Only what kubectl looks at is encoded, taken from the JSON document: the paths and
//! their operations (tags, description, operationId, consumes, query and path
//! parameters, response descriptions, `x-` vendor extensions as YAML). Definitions are
//! left out, so kubectl builds strategic merge patches from its compiled-in types.

use serde_json::Value;

/// A protobuf message under construction.
#[derive(Default)]
struct Message(Vec<u8>);

impl Message {
    fn varint(&mut self, mut value: u64) {
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                self.0.push(byte);
                return;
            }
            self.0.push(byte | 0x80);
        }
    }

    fn bytes(&mut self, field: u64, bytes: &[u8]) {
        self.varint(field << 3 | 2);
        self.varint(bytes.len() as u64);
        self.0.extend_from_slice(bytes);
    }

    fn text(&mut self, field: u64, text: &str) {
        if !text.is_empty() {
            self.bytes(field, text.as_bytes());
        }
    }

    fn message(&mut self, field: u64, message: Message) {
        self.bytes(field, &message.0);
    }

    fn flag(&mut self, field: u64, on: bool) {
        if on {
            self.varint(field << 3);
            self.varint(1);
        }
    }
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// `NamedAny` vendor extensions (`x-...`) of a JSON object, values as YAML.
fn extensions(object: &Value, field: u64, out: &mut Message) {
    for (name, value) in object.as_object().into_iter().flatten() {
        if !name.starts_with("x-") {
            continue;
        }
        let yaml = serde_yaml_ng::to_string(value).unwrap_or_default();
        let mut any = Message::default();
        any.text(2, &yaml);
        let mut named = Message::default();
        named.text(1, name);
        named.message(2, any);
        out.message(field, named);
    }
}

/// A query or path `ParametersItem`; body parameters are skipped.
fn parameter(param: &Value) -> Option<Message> {
    let sub_field = match str_of(param, "in") {
        "query" => 3,
        "path" => 4,
        _ => return None,
    };
    let mut sub = Message::default();
    sub.flag(
        1,
        param.get("required").and_then(Value::as_bool) == Some(true),
    );
    sub.text(2, str_of(param, "in"));
    sub.text(3, str_of(param, "description"));
    sub.text(4, str_of(param, "name"));
    let type_field = if sub_field == 3 { 6 } else { 5 };
    sub.text(type_field, str_of(param, "type"));
    let unique_field = if sub_field == 3 { 20 } else { 19 };
    sub.flag(
        unique_field,
        param.get("uniqueItems").and_then(Value::as_bool) == Some(true),
    );
    let mut non_body = Message::default();
    non_body.message(sub_field, sub);
    let mut parameter = Message::default();
    parameter.message(2, non_body);
    let mut item = Message::default();
    item.message(1, parameter);
    Some(item)
}

fn operation(op: &Value) -> Message {
    let mut out = Message::default();
    for tag in op
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        out.text(1, tag.as_str().unwrap_or(""));
    }
    out.text(3, str_of(op, "description"));
    out.text(5, str_of(op, "operationId"));
    for media in op
        .get("consumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        out.text(7, media.as_str().unwrap_or(""));
    }
    for param in op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(item) = parameter(param) {
            out.message(8, item);
        }
    }
    let mut responses = Message::default();
    for (code, response) in op
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let mut body = Message::default();
        body.text(1, str_of(response, "description"));
        let mut value = Message::default();
        value.message(1, body);
        let mut named = Message::default();
        named.text(1, code);
        named.message(2, value);
        responses.message(1, named);
    }
    out.message(9, responses);
    extensions(op, 13, &mut out);
    out
}

fn path_item(item: &Value) -> Message {
    let mut out = Message::default();
    for (method, field) in [
        ("get", 2),
        ("put", 3),
        ("post", 4),
        ("delete", 5),
        ("patch", 8),
    ] {
        if let Some(op) = item.get(method) {
            out.message(field, operation(op));
        }
    }
    for param in item
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(p) = parameter(param) {
            out.message(9, p);
        }
    }
    out
}

/// The protobuf encoding of (the paths of) a Swagger 2.0 JSON document.
pub fn encode(document: &Value) -> Vec<u8> {
    let mut doc = Message::default();
    doc.text(1, str_of(document, "swagger"));
    let mut info = Message::default();
    info.text(1, str_of(&document["info"], "title"));
    info.text(2, str_of(&document["info"], "version"));
    doc.message(2, info);
    let mut paths = Message::default();
    for (name, item) in document["paths"].as_object().into_iter().flatten() {
        let mut named = Message::default();
        named.text(1, name);
        named.message(2, path_item(item));
        paths.message(2, named);
    }
    doc.message(8, paths);
    doc.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wire_format() {
        let mut m = Message::default();
        m.varint(300);
        assert_eq!(m.0, [0xac, 0x02]);
        let doc = json!({"swagger": "2.0", "info": {"title": "K", "version": "v1"}, "paths": {}});
        // swagger (1, "2.0"), info (2, {title "K", version "v1"}), paths (8, empty).
        assert_eq!(
            encode(&doc),
            [10, 3, b'2', b'.', b'0', 18, 7, 10, 1, b'K', 18, 2, b'v', b'1', 66, 0]
        );
    }
}
