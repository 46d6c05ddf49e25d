//! Property tests of building, parsing and serialising docker configs.

use base64::Engine as _;
use proptest::prelude::*;
use serde_json::{Map, Value};

use super::{AuthEntry, DockerConfig, HostEdit};
use crate::domain::secret::Password;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        ".{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Unknown field names: anything but the names regboard interprets.
fn unknown_fields(known: &'static [&'static str]) -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map("[a-zA-Z]{1,10}", json_value(), 0..4).prop_map(move |m| {
        m.into_iter()
            .filter(|(k, _)| !known.contains(&k.as_str()))
            .collect()
    })
}

proptest! {
    #[test]
    fn build_serialise_parse_keeps_credentials(
        hosts in prop::collection::vec(".{0,20}", 1..4),
        username in "[^:]{0,16}",
        password in ".{0,24}",
        email in prop::option::of(".{0,12}"),
    ) {
        let password = Password::new(password);
        let built = DockerConfig::for_hosts(&hosts, &username, &password, email.as_deref());
        let parsed = DockerConfig::parse_dockerconfigjson(built.to_json().as_bytes()).unwrap();
        prop_assert_eq!(&parsed, &built);
        let mut expected_hosts = hosts.clone();
        expected_hosts.sort();
        expected_hosts.dedup();
        prop_assert_eq!(parsed.hosts(), expected_hosts);
        prop_assert_eq!(parsed.username(), Some(username.clone()));
        for host in &hosts {
            prop_assert_eq!(
                parsed.username_password(host),
                Some((username.clone(), password.clone()))
            );
        }
    }

    #[test]
    fn parse_serialise_parse_keeps_unknown_fields(
        top in unknown_fields(&["auths"]),
        entries in prop::collection::btree_map(
            "[a-z.:0-9]{1,12}",
            (unknown_fields(&["username", "password", "email", "auth"]), "[^:]{0,8}", ".{0,8}"),
            0..4,
        ),
    ) {
        let auths: Map<String, Value> = entries
            .iter()
            .map(|(host, (extra, u, p))| {
                let mut e = extra.clone();
                e.insert("auth".into(), Value::String(super::encode_auth(u, &Password::new(p.as_str()))));
                (host.clone(), Value::Object(e))
            })
            .collect();
        let mut doc = top.clone();
        doc.insert("auths".into(), Value::Object(auths));
        let once = DockerConfig::parse_dockerconfigjson(Value::Object(doc).to_string().as_bytes()).unwrap();
        prop_assert_eq!(&once.extra, &top);
        for (host, (extra, u, _)) in &entries {
            prop_assert_eq!(&once.auths[host].extra, extra);
            prop_assert_eq!(once.auths[host].effective_username(), Some(u.clone()));
        }
        let twice = DockerConfig::parse_dockerconfigjson(once.to_json().as_bytes()).unwrap();
        prop_assert_eq!(twice, once);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = DockerConfig::parse_dockerconfigjson(&bytes);
        let _ = DockerConfig::parse_dockercfg(&bytes);
    }

    #[test]
    fn arbitrary_json_never_panics(value in json_value(), entry in json_value()) {
        let mut doc = Map::new();
        doc.insert("auths".into(), value.clone());
        let _ = DockerConfig::parse_dockerconfigjson(Value::Object(doc).to_string().as_bytes());
        let doc = serde_json::json!({ "auths": { "h": entry } });
        let _ = DockerConfig::parse_dockerconfigjson(doc.to_string().as_bytes());
        let _ = DockerConfig::parse_dockercfg(value.to_string().as_bytes());
    }

    #[test]
    fn auth_always_decodes_to_username_colon_password(username in ".{0,16}", password in ".{0,24}") {
        let entry = AuthEntry::new(&username, &Password::new(password.as_str()), None);
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(entry.auth.as_deref().unwrap())
            .unwrap();
        prop_assert_eq!(String::from_utf8(decoded).unwrap(), format!("{username}:{password}"));
        if !username.contains(':') {
            prop_assert_eq!(entry.username_password(), Some((username, Password::new(password))));
        }
    }

    #[test]
    fn errors_never_contain_the_password(
        password in "[a-zA-Z0-9]{12,20}",
        cut in 0usize..80,
    ) {
        let doc = format!(r#"{{"auths":{{"r.io":{{"password":"{password}","auth":"{password}x"}}}}}}"#);
        let cut = cut.min(doc.len());
        for candidate in [&doc[..cut], doc.as_str()] {
            if let Err(e) = DockerConfig::parse_dockerconfigjson(candidate.as_bytes()) {
                let shown = format!("{e} {e:?}");
                prop_assert!(!shown.contains(&password), "{}", shown);
            }
        }
    }

    #[test]
    fn per_host_configs_regboard_writes_parse_back_equal(
        rows in prop::collection::btree_map(
            "[a-z]{1,8}\\.io",
            ("[a-zA-Z0-9+._-]{1,12}", ".{1,24}", prop::option::of("[a-z]{1,6}@x\\.io")),
            1..5,
        ),
    ) {
        let edits: Vec<HostEdit> = rows
            .iter()
            .map(|(host, (u, p, e))| HostEdit {
                host: host.clone(),
                username: u.clone(),
                password: Some(Password::new(p.as_str())),
                email: e.clone(),
            })
            .collect();
        let mut written = DockerConfig::default();
        written.apply_hosts(&edits).unwrap();
        let parsed = DockerConfig::parse_dockerconfigjson(written.to_json().as_bytes()).unwrap();
        prop_assert_eq!(&parsed, &written);
        for (host, (u, p, e)) in &rows {
            prop_assert_eq!(parsed.username_password(host), Some((u.clone(), Password::new(p.as_str()))));
            prop_assert_eq!(&parsed.auths[host].email, e);
        }
    }

    #[test]
    fn unknown_fields_survive_an_edit_of_another_host(
        top in unknown_fields(&["auths"]),
        other_extra in unknown_fields(&["username", "password", "email", "auth"]),
        edited_extra in unknown_fields(&["username", "password", "email", "auth"]),
        new_username in "[a-z]{1,8}",
        new_password in prop::option::of("[a-zA-Z0-9]{1,12}"),
    ) {
        let mut other = other_extra.clone();
        other.insert("auth".into(), Value::String(super::encode_auth("o", &Password::new("op"))));
        let mut edited = edited_extra.clone();
        edited.insert("username".into(), Value::String("u".into()));
        edited.insert("password".into(), Value::String("up".into()));
        let mut doc = top.clone();
        doc.insert("auths".into(), serde_json::json!({"other.io": other, "edited.io": edited}));
        let before = DockerConfig::parse_dockerconfigjson(Value::Object(doc).to_string().as_bytes()).unwrap();
        let mut after = before.clone();
        after.apply_hosts(&[
            HostEdit { host: "edited.io".into(), username: new_username.clone(), password: new_password.clone().map(Password::new), email: None },
            HostEdit { host: "other.io".into(), username: "o".into(), password: None, email: None },
        ]).unwrap();
        let reparsed = DockerConfig::parse_dockerconfigjson(after.to_json().as_bytes()).unwrap();
        prop_assert_eq!(&reparsed.auths["other.io"], &before.auths["other.io"]);
        prop_assert_eq!(&reparsed.auths["edited.io"].extra, &edited_extra);
        prop_assert_eq!(&reparsed.extra, &top);
        let expected_password = new_password.unwrap_or_else(|| "up".into());
        prop_assert_eq!(reparsed.username_password("edited.io"), Some((new_username, Password::new(expected_password))));
    }
}
