//! A minimal decoder for `application/vnd.kubernetes.protobuf` request bodies.
//!
//! client-go's typed clients (and therefore `kubectl create secret|namespace|serviceaccount`)
//! send protobuf, not JSON. The body is `k8s\0` + a `runtime.Unknown` envelope whose `raw`
//! field holds the object message. Only the fields of Secret, Namespace and
//! ServiceAccount (and their ObjectMeta) are decoded, into the JSON shape the rest of
//! the sandbox works with; other resources answer 415.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Map, Value};

use crate::resource::Resource;
use crate::status::ApiStatus;

const MAGIC: &[u8] = b"k8s\0";

/// One decoded protobuf field: number and payload.
enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = self.buf.split_first().ok_or("truncated varint")?;
            self.buf = rest;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("varint too long".into())
    }

    fn next(&mut self) -> Option<Result<(u64, Field<'a>), String>> {
        if self.buf.is_empty() {
            return None;
        }
        Some(self.field())
    }

    fn field(&mut self) -> Result<(u64, Field<'a>), String> {
        let tag = self.varint()?;
        let (number, wire) = (tag >> 3, tag & 7);
        let field = match wire {
            0 => Field::Varint(self.varint()?),
            2 => {
                let len = usize::try_from(self.varint()?).map_err(|_| "length overflow")?;
                if len > self.buf.len() {
                    return Err("truncated length-delimited field".into());
                }
                let (bytes, rest) = self.buf.split_at(len);
                self.buf = rest;
                Field::Bytes(bytes)
            }
            1 => self.skip(8)?,
            5 => self.skip(4)?,
            other => return Err(format!("unsupported wire type {other}")),
        };
        Ok((number, field))
    }

    fn skip(&mut self, n: usize) -> Result<Field<'a>, String> {
        if n > self.buf.len() {
            return Err("truncated fixed field".into());
        }
        self.buf = &self.buf[n..];
        Ok(Field::Varint(0))
    }
}

/// Iterates the fields of a message, failing on malformed input.
fn fields(buf: &[u8]) -> Result<Vec<(u64, Field<'_>)>, String> {
    let mut reader = Reader { buf };
    let mut out = Vec::new();
    while let Some(field) = reader.next() {
        out.push(field?);
    }
    Ok(out)
}

fn text(bytes: &[u8]) -> Result<String, String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| "invalid UTF-8 in a string field".to_string())
}

/// A `map<string, string|bytes>` entry: key = 1, value = 2.
fn map_entry(bytes: &[u8], value_as_base64: bool) -> Result<(String, Value), String> {
    let (mut key, mut value) = (String::new(), Value::String(String::new()));
    for (number, field) in fields(bytes)? {
        match (number, field) {
            (1, Field::Bytes(b)) => key = text(b)?,
            (2, Field::Bytes(b)) if value_as_base64 => value = json!(STANDARD.encode(b)),
            (2, Field::Bytes(b)) => value = json!(text(b)?),
            _ => {}
        }
    }
    Ok((key, value))
}

fn insert_entry(
    target: &mut Map<String, Value>,
    key: &str,
    bytes: &[u8],
    base64: bool,
) -> Result<(), String> {
    let (k, v) = map_entry(bytes, base64)?;
    let map = target.entry(key).or_insert_with(|| json!({}));
    if let Some(map) = map.as_object_mut() {
        map.insert(k, v);
    }
    Ok(())
}

fn push(target: &mut Map<String, Value>, key: &str, value: Value) {
    let list = target.entry(key).or_insert_with(|| json!([]));
    if let Some(list) = list.as_array_mut() {
        list.push(value);
    }
}

fn object_meta(bytes: &[u8]) -> Result<Value, String> {
    let mut meta = Map::new();
    for (number, field) in fields(bytes)? {
        match (number, field) {
            (1, Field::Bytes(b)) => _ = meta.insert("name".into(), json!(text(b)?)),
            (2, Field::Bytes(b)) => _ = meta.insert("generateName".into(), json!(text(b)?)),
            (3, Field::Bytes(b)) => _ = meta.insert("namespace".into(), json!(text(b)?)),
            (5, Field::Bytes(b)) => _ = meta.insert("uid".into(), json!(text(b)?)),
            (6, Field::Bytes(b)) => _ = meta.insert("resourceVersion".into(), json!(text(b)?)),
            (11, Field::Bytes(b)) => insert_entry(&mut meta, "labels", b, false)?,
            (12, Field::Bytes(b)) => insert_entry(&mut meta, "annotations", b, false)?,
            (14, Field::Bytes(b)) => push(&mut meta, "finalizers", json!(text(b)?)),
            _ => {}
        }
    }
    meta.retain(|_, v| v.as_str() != Some(""));
    Ok(Value::Object(meta))
}

fn name_ref(bytes: &[u8]) -> Result<Value, String> {
    let mut out = Map::new();
    for (number, field) in fields(bytes)? {
        // LocalObjectReference.name = 1; ObjectReference.name = 3, namespace = 2.
        match (number, field) {
            (1, Field::Bytes(b)) | (3, Field::Bytes(b)) => {
                _ = out.insert("name".into(), json!(text(b)?))
            }
            _ => {}
        }
    }
    Ok(Value::Object(out))
}

fn decode_object(resource: Resource, raw: &[u8]) -> Result<Value, String> {
    let mut obj = Map::new();
    for (number, field) in fields(raw)? {
        match (resource, number, field) {
            (_, 1, Field::Bytes(b)) => _ = obj.insert("metadata".into(), object_meta(b)?),
            (Resource::Secret, 2, Field::Bytes(b)) => insert_entry(&mut obj, "data", b, true)?,
            (Resource::Secret, 3, Field::Bytes(b)) => {
                _ = obj.insert("type".into(), json!(text(b)?))
            }
            (Resource::Secret, 4, Field::Bytes(b)) => {
                insert_entry(&mut obj, "stringData", b, false)?
            }
            (Resource::Secret, 5, Field::Varint(v)) => {
                _ = obj.insert("immutable".into(), json!(v != 0))
            }
            (Resource::Namespace, 2, Field::Bytes(b)) => {
                let mut finalizers = Vec::new();
                for (n, f) in fields(b)? {
                    if let (1, Field::Bytes(s)) = (n, f) {
                        finalizers.push(json!(text(s)?));
                    }
                }
                obj.insert("spec".into(), json!({"finalizers": finalizers}));
            }
            (Resource::ServiceAccount, 2, Field::Bytes(b)) => {
                push(&mut obj, "secrets", name_ref(b)?)
            }
            (Resource::ServiceAccount, 3, Field::Bytes(b)) => {
                push(&mut obj, "imagePullSecrets", name_ref(b)?)
            }
            (Resource::ServiceAccount, 4, Field::Varint(v)) => {
                obj.insert("automountServiceAccountToken".into(), json!(v != 0));
            }
            _ => {}
        }
    }
    Ok(Value::Object(obj))
}

/// Decodes a protobuf request body for `resource` into its JSON form.
pub fn decode(resource: Resource, body: &[u8]) -> Result<Value, ApiStatus> {
    if !matches!(
        resource,
        Resource::Secret | Resource::Namespace | Resource::ServiceAccount
    ) {
        return Err(ApiStatus::unsupported_media_type(
            "application/vnd.kubernetes.protobuf",
        ));
    }
    let envelope = body.strip_prefix(MAGIC).ok_or_else(|| {
        ApiStatus::undecodable(resource, "protobuf body lacks the k8s envelope prefix")
    })?;
    let mut kind = String::new();
    let mut raw: &[u8] = &[];
    for (number, field) in fields(envelope).map_err(|e| ApiStatus::undecodable(resource, e))? {
        match (number, field) {
            (1, Field::Bytes(type_meta)) => {
                for (n, f) in fields(type_meta).map_err(|e| ApiStatus::undecodable(resource, e))? {
                    if let (2, Field::Bytes(k)) = (n, f) {
                        kind = String::from_utf8_lossy(k).into_owned();
                    }
                }
            }
            (2, Field::Bytes(bytes)) => raw = bytes,
            _ => {}
        }
    }
    if !kind.is_empty() && kind != resource.kind() {
        return Err(ApiStatus::bad_request(format!(
            "the kind in the data ({kind}) does not match the expected kind ({})",
            resource.kind()
        )));
    }
    decode_object(resource, raw).map_err(|e| ApiStatus::undecodable(resource, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ld(number: u64, bytes: &[u8]) -> Vec<u8> {
        let mut out = vec![(number << 3 | 2) as u8, bytes.len() as u8];
        out.extend_from_slice(bytes);
        out
    }

    #[test]
    fn decodes_a_secret_envelope() {
        let meta = [ld(1, b"regcred"), ld(3, b"ns1")].concat();
        let entry = [ld(1, b".dockerconfigjson"), ld(2, b"{}")].concat();
        let secret = [
            ld(1, &meta),
            ld(2, &entry),
            ld(3, b"kubernetes.io/dockerconfigjson"),
        ]
        .concat();
        let type_meta = [ld(1, b"v1"), ld(2, b"Secret")].concat();
        let body = [MAGIC.to_vec(), ld(1, &type_meta), ld(2, &secret)].concat();
        let value = decode(Resource::Secret, &body).unwrap();
        assert_eq!(
            value["metadata"],
            json!({"name": "regcred", "namespace": "ns1"})
        );
        assert_eq!(value["data"][".dockerconfigjson"], "e30=");
        assert_eq!(value["type"], "kubernetes.io/dockerconfigjson");
    }

    #[test]
    fn garbage_is_400_and_pods_are_415() {
        assert_eq!(
            decode(Resource::Secret, b"k8s\0\x0a\xff").unwrap_err().code,
            400
        );
        assert_eq!(decode(Resource::Secret, b"nope").unwrap_err().code, 400);
        assert_eq!(decode(Resource::Pod, b"k8s\0").unwrap_err().code, 415);
    }
}
