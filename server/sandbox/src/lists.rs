//! The lists of the served kinds whose items are identified by key fields rather than
//! by position: strategic merge patch merges them on the first key (its
//! `patchMergeKey`), server-side apply tracks their items by all keys (`listMapKey`s).

use serde_json::Value;

/// The key fields of list `field` whose items look like `item`, if the list is keyed.
pub fn item_keys(field: &str, item: &Value) -> Option<&'static [&'static str]> {
    let keys: &'static [&'static str] = match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "secrets"
        | "claims"
        | "resourceClaims" => &["name"],
        "ports" if item.get("containerPort").is_some() => &["containerPort", "protocol"],
        "ports" => &["port", "protocol"],
        "volumeMounts" => &["mountPath"],
        "volumeDevices" => &["devicePath"],
        "hostAliases" => &["ip"],
        "ownerReferences" => &["uid"],
        "conditions" => &["type"],
        "topologySpreadConstraints" => &["topologyKey", "whenUnsatisfiable"],
        _ => return None,
    };
    Some(keys)
}
