use serde_json::{json, Value};

use super::*;

const STORED: &str = r#"{"auths":{"ghcr.io":{"username":"bot","password":"canary-pw","email":"e@x","auth":"Ym90OmNhbmFyeS1wdw==","identitytoken":"canary-tok","x-kept":1},"r.io":{"auth":"dTpjYW5hcnktcHc="}},"credHelpers":{"gcr.io":"gcloud"}}"#;

fn namespaces(ns: &[&str]) -> Vec<String> {
    ns.iter().map(|s| s.to_string()).collect()
}

/// [`STORED`] with its credential, for `ns`.
fn stored_in(ns: &[String]) -> Subject<'_> {
    Subject {
        name: "ghcr",
        namespaces: ns,
        config: STORED,
        with_credential: true,
    }
}

#[test]
fn placeholders_leave_out_every_credential_and_keep_the_rest() {
    let out = placeholders_json(STORED.as_bytes()).unwrap();
    for secret in ["canary-pw", "canary-tok", "Ym90", "dTpj"] {
        assert!(!out.contains(secret), "{out}");
    }
    let doc: Value = serde_json::from_str(&out).unwrap();
    let ghcr = &doc["auths"]["ghcr.io"];
    assert_eq!(ghcr["password"], "<password for ghcr.io — fill in>");
    assert_eq!(
        ghcr["identitytoken"],
        "<identitytoken for ghcr.io — fill in>"
    );
    assert_eq!(
        (&ghcr["username"], &ghcr["email"]),
        (&json!("bot"), &json!("e@x"))
    );
    assert_eq!(ghcr["x-kept"], 1);
    assert!(ghcr.get("auth").is_none());
    // An entry with only `auth` gets its username written out.
    assert_eq!(doc["auths"]["r.io"]["username"], "u");
    assert_eq!(
        doc["auths"]["r.io"]["password"],
        "<password for r.io — fill in>"
    );
    assert_eq!(doc["credHelpers"], json!({"gcr.io": "gcloud"}));
}

#[test]
fn placeholders_refuse_what_does_not_parse() {
    assert_eq!(placeholders_json(b"{}"), Err(ConfigError::MissingAuths));
}

#[test]
fn manifest_with_the_credential_carries_the_exact_bytes_per_namespace() {
    let ns = namespaces(&["a", "b"]);
    let subject = stored_in(&ns);
    let file = manifest(&subject);
    assert_eq!(file.name, "ghcr.yaml");
    assert_eq!(file.content.matches("---\n").count(), 2);
    assert!(file.content.contains("  namespace: \"b\"\n"));
    let encoded = STANDARD.encode(STORED);
    assert_eq!(file.content.matches(&encoded).count(), 2);
    assert!(file.content.contains("CONTAINS THE CREDENTIAL"));
    assert!(!file.content.contains("regboard.dev/"), "{}", file.content);
    assert!(!file.content.contains("managed-by"));
}

#[test]
fn manifest_without_the_credential_is_a_readable_block() {
    let ns = namespaces(&["team-a"]);
    let config = placeholders_json(
        br#"{"auths":{"ghcr.io":{"username":"bot","password":"p","auth":"Ym90OnA="}}}"#,
    )
    .unwrap();
    let subject = Subject {
        name: "ghcr",
        namespaces: &ns,
        config: &config,
        with_credential: false,
    };
    let body = manifest(&subject).content;
    let expected = r#"---
apiVersion: v1
kind: Secret
metadata:
  name: "ghcr"
  namespace: "team-a"
type: "kubernetes.io/dockerconfigjson"
stringData:
  .dockerconfigjson: |
    {
      "auths": {
        "ghcr.io": {
          "password": "<password for ghcr.io — fill in>",
          "username": "bot"
        }
      }
    }
"#;
    assert!(body.ends_with(expected), "{body}");
    assert!(body.starts_with("# Registry ghcr exported by regboard"));
    assert!(body
        .lines()
        .take_while(|l| *l != "---")
        .all(|l| l.starts_with('#')));
}

#[test]
fn kustomization_has_one_generator_per_namespace_reading_one_file() {
    let ns = namespaces(&["a", "b"]);
    let subject = stored_in(&ns);
    let [kustomization, config] = kustomization(&subject);
    assert_eq!(kustomization.name, "kustomization.yaml");
    assert_eq!(config.name, "ghcr.dockerconfigjson");
    assert_eq!(config.content, STORED, "the bytes as stored");
    let text = kustomization.content;
    assert!(text.contains(
        "- name: \"ghcr\"\n  namespace: \"a\"\n  type: \"kubernetes.io/dockerconfigjson\"\n  files:\n  - \".dockerconfigjson=ghcr.dockerconfigjson\"\n  options:\n    disableNameSuffixHash: true\n"
    ), "{text}");
    assert_eq!(text.matches("disableNameSuffixHash: true").count(), 2);
}

#[test]
fn quoting_survives_yaml_specials() {
    assert_eq!(quoted("a: b # c"), "\"a: b # c\"");
    assert_eq!(quoted("x\"y\\"), "\"x\\\"y\\\\\"");
    assert_eq!(literal_block("{\n\n}\n", 2), "|\n  {\n\n  }\n");
}
