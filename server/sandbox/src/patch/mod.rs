//! PATCH bodies: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge
//! patch (see [`strategic`]); server-side apply is [`crate::managed`]'s.

mod strategic;

use serde_json::{Map, Value};

use crate::resource::Resource;
use crate::status::ApiStatus;

/// The patch flavours selected by the request's `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    /// `application/merge-patch+json`.
    Merge,
    /// `application/json-patch+json`.
    Json,
    /// `application/strategic-merge-patch+json`.
    Strategic,
    /// `application/apply-patch+yaml`: server-side apply (see [`crate::managed`]).
    Apply,
}

impl PatchType {
    /// Maps a `Content-Type` to a patch type; anything else is a 415 Status.
    pub fn from_content_type(content_type: &str) -> Result<PatchType, ApiStatus> {
        let media = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match media.as_str() {
            "application/merge-patch+json" => Ok(PatchType::Merge),
            "application/json-patch+json" => Ok(PatchType::Json),
            "application/strategic-merge-patch+json" => Ok(PatchType::Strategic),
            "application/apply-patch+yaml" => Ok(PatchType::Apply),
            other => Err(ApiStatus::unsupported_media_type(other)),
        }
    }
}

/// RFC 7386: objects merge recursively, `null` deletes, everything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch_map) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(target_map) = target {
        for (key, value) in patch_map {
            if value.is_null() {
                target_map.remove(key);
            } else {
                merge_patch(target_map.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

/// Strategic merge: maps merge, lists with a merge key merge item by item, directives
/// (`$patch`, `$setElementOrder`, `$retainKeys`, `$deleteFromPrimitiveList`) are honoured.
pub fn strategic_merge_patch(target: &mut Value, patch: &Value) {
    strategic::apply(target, patch);
}

/// Applies a patch body of `patch_type` to `current`, returning the patched object.
pub fn apply(
    resource: Resource,
    patch_type: PatchType,
    current: &Value,
    body: &[u8],
) -> Result<Value, ApiStatus> {
    let patch: Value = serde_json::from_slice(body)
        .map_err(|e| ApiStatus::bad_request(format!("error decoding patch: {e}")))?;
    let mut out = current.clone();
    match patch_type {
        PatchType::Apply => {
            return Err(ApiStatus::new(
                500,
                "InternalError",
                "an apply patch is merged by the field manager, not by patch::apply",
            ));
        }
        PatchType::Merge => {
            if !patch.is_object() {
                return Err(ApiStatus::bad_request(
                    "error decoding patch: a merge patch must be a JSON object",
                ));
            }
            merge_patch(&mut out, &patch);
        }
        PatchType::Strategic => {
            if !patch.is_object() {
                return Err(ApiStatus::bad_request(
                    "error decoding patch: a strategic merge patch must be a JSON object",
                ));
            }
            strategic_merge_patch(&mut out, &patch);
        }
        PatchType::Json => {
            let ops: json_patch::Patch = serde_json::from_value(patch)
                .map_err(|e| ApiStatus::bad_request(format!("error decoding patch: {e}")))?;
            json_patch::patch(&mut out, &ops).map_err(|e| {
                ApiStatus::new(
                    422,
                    "Invalid",
                    format!("the server rejected our request due to an error in our request: {e}"),
                )
                .with_kind(resource)
            })?;
        }
    }
    if !out.is_object() {
        return Err(ApiStatus::bad_request(
            "the patch replaced the whole object with a non-object",
        ));
    }
    Ok(out)
}

impl ApiStatus {
    fn with_kind(mut self, resource: Resource) -> Self {
        self.details_mut().kind = Some(resource.plural().to_string());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rfc7386_examples() {
        let mut target = json!({"a": "b", "c": {"d": "e", "f": "g"}, "l": [1, 2]});
        merge_patch(&mut target, &json!({"a": "z", "c": {"f": null}, "l": [3]}));
        assert_eq!(target, json!({"a": "z", "c": {"d": "e"}, "l": [3]}));
        let mut scalar = json!({"a": {"b": "c"}});
        merge_patch(&mut scalar, &json!({"a": {"b": {"x": null, "y": 1}}}));
        assert_eq!(scalar, json!({"a": {"b": {"y": 1}}}));
    }

    #[test]
    fn strategic_directives() {
        let mut target =
            json!({"metadata": {"labels": {"a": "1", "b": "2"}}, "data": {"x": "eA=="}});
        strategic_merge_patch(
            &mut target,
            &json!({"metadata": {"labels": {"a": null, "b": {"$patch": "delete"}, "c": "3"}},
                    "data": {"$patch": "replace", "y": "eQ=="}}),
        );
        assert_eq!(
            target,
            json!({"metadata": {"labels": {"c": "3"}}, "data": {"y": "eQ=="}})
        );
    }

    #[test]
    fn json_patch_and_errors() {
        let current = json!({"metadata": {"name": "s"}, "data": {"k": "dg=="}});
        let body =
            br#"[{"op":"add","path":"/data/j","value":"dw=="},{"op":"remove","path":"/data/k"}]"#;
        let out = apply(Resource::Secret, PatchType::Json, &current, body).unwrap();
        assert_eq!(out["data"], json!({"j": "dw=="}));
        let bad = br#"[{"op":"test","path":"/data/k","value":"nope"}]"#;
        assert_eq!(
            apply(Resource::Secret, PatchType::Json, &current, bad)
                .unwrap_err()
                .code,
            422
        );
        assert_eq!(
            apply(Resource::Secret, PatchType::Merge, &current, b"not json")
                .unwrap_err()
                .code,
            400
        );
        assert_eq!(
            apply(Resource::Secret, PatchType::Merge, &current, b"[1]")
                .unwrap_err()
                .code,
            400
        );
    }

    #[test]
    fn content_types() {
        assert_eq!(
            PatchType::from_content_type("application/merge-patch+json; charset=utf-8"),
            Ok(PatchType::Merge)
        );
        assert_eq!(
            PatchType::from_content_type("application/apply-patch+yaml"),
            Ok(PatchType::Apply)
        );
        assert_eq!(
            PatchType::from_content_type("text/plain").unwrap_err().code,
            415
        );
    }
}
