//! `WWW-Authenticate` challenges (RFC 9110 §11.6.1) as registries send
//! them, and the plan a credential test follows from them.
//!
//! A header may hold several challenges (`Basic realm="x", Bearer
//! realm="y"`); parameter values may be quoted and contain commas and
//! escaped quotes. Parsing never fails: what cannot be read is skipped.

use std::collections::BTreeMap;

/// One challenge: its scheme (lower-cased) and parameters (names lower-cased).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// `basic`, `bearer`, …
    pub scheme: String,
    /// `realm`, `service`, `scope`, … with their unquoted values.
    pub params: BTreeMap<String, String>,
}

/// What a credential test does after a 401 from `/v2/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthPlan {
    /// Ask `/v2/` again with the credential as HTTP Basic.
    Basic,
    /// Get a token from `realm` with the credential, then ask `/v2/` with it.
    Bearer {
        /// The token endpoint.
        realm: String,
        /// The `service` parameter to pass, when the registry named one.
        service: Option<String>,
        /// The `scope` the challenge asked for, if any.
        scope: Option<String>,
    },
    /// No challenge regboard can answer (none, or only other schemes).
    Unsupported {
        /// What the registry sent, for the verdict's sentence.
        schemes: Vec<String>,
    },
}

/// Every challenge in `headers` (the values of each `WWW-Authenticate`).
pub fn parse_challenges<'a>(headers: impl IntoIterator<Item = &'a str>) -> Vec<Challenge> {
    headers.into_iter().flat_map(parse_header).collect()
}

/// The plan for `challenges`: Bearer when one has a realm (registries that
/// offer both prefer tokens), else Basic, else unsupported.
pub fn plan(challenges: &[Challenge]) -> AuthPlan {
    let bearer = challenges
        .iter()
        .find(|c| c.scheme == "bearer" && c.params.get("realm").is_some_and(|r| !r.is_empty()));
    if let Some(c) = bearer {
        return AuthPlan::Bearer {
            realm: c.params["realm"].clone(),
            service: c.params.get("service").cloned(),
            scope: c.params.get("scope").cloned(),
        };
    }
    if challenges.iter().any(|c| c.scheme == "basic") {
        return AuthPlan::Basic;
    }
    AuthPlan::Unsupported {
        schemes: challenges.iter().map(|c| c.scheme.clone()).collect(),
    }
}

/// The challenges of one header value.
fn parse_header(header: &str) -> Vec<Challenge> {
    let mut out: Vec<Challenge> = Vec::new();
    let mut rest = header;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        if rest.is_empty() {
            return out;
        }
        let (token, after) = split_token(rest);
        if token.is_empty() {
            // Not a token character: skip it and go on.
            rest = &rest[rest.chars().next().map_or(1, char::len_utf8)..];
            continue;
        }
        let trimmed = after.trim_start();
        if let (Some(current), Some(value_part)) = (out.last_mut(), trimmed.strip_prefix('=')) {
            // `name=value`: a parameter of the current challenge.
            let (value, after_value) = parse_value(value_part.trim_start());
            current.params.insert(token.to_ascii_lowercase(), value);
            rest = after_value;
        } else {
            out.push(Challenge {
                scheme: token.to_ascii_lowercase(),
                params: BTreeMap::new(),
            });
            rest = after;
        }
    }
}

/// A leading RFC 9110 token and what follows it.
fn split_token(s: &str) -> (&str, &str) {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~/".contains(c)))
        .unwrap_or(s.len());
    s.split_at(end)
}

/// A quoted string (with `\"` escapes) or an unquoted value, and what follows it.
fn parse_value(s: &str) -> (String, &str) {
    let Some(quoted) = s.strip_prefix('"') else {
        // Unquoted: a token, read leniently up to a comma or a space
        // (some registries leave `:` and `*` unquoted).
        let end = s
            .find(|c: char| c == ',' || c.is_whitespace())
            .unwrap_or(s.len());
        let (token, rest) = s.split_at(end);
        return (token.to_owned(), rest);
    };
    let mut value = String::new();
    let mut chars = quoted.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, escaped)) = chars.next() {
                    value.push(escaped);
                }
            }
            '"' => return (value, &quoted[i + 1..]),
            other => value.push(other),
        }
    }
    (value, "") // an unterminated quote runs to the end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(header: &str) -> Vec<Challenge> {
        parse_challenges([header])
    }

    #[test]
    fn a_basic_challenge_plans_basic() {
        let c = one(r#"Basic realm="Registry Realm""#);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].scheme, "basic");
        assert_eq!(c[0].params["realm"], "Registry Realm");
        assert_eq!(plan(&c), AuthPlan::Basic);
    }

    #[test]
    fn a_bearer_challenge_names_realm_service_and_scope() {
        let c = one(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull,push""#,
        );
        assert_eq!(
            plan(&c),
            AuthPlan::Bearer {
                realm: "https://auth.docker.io/token".into(),
                service: Some("registry.docker.io".into()),
                // The comma inside the quotes belongs to the value.
                scope: Some("repository:library/nginx:pull,push".into()),
            }
        );
    }

    #[test]
    fn several_challenges_in_one_header_prefer_bearer() {
        let c = one(
            r#"Basic realm="a, b", Bearer realm="https://t.example/token", error="invalid_token""#,
        );
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].params["realm"], "a, b");
        assert_eq!(c[1].params["error"], "invalid_token");
        assert!(
            matches!(plan(&c), AuthPlan::Bearer { realm, service: None, .. } if realm == "https://t.example/token")
        );
    }

    #[test]
    fn challenges_in_several_headers_are_all_read() {
        let c = parse_challenges(["Negotiate", r#"basic realm=x"#]);
        assert_eq!(
            c.iter().map(|c| c.scheme.as_str()).collect::<Vec<_>>(),
            ["negotiate", "basic"]
        );
        assert_eq!(c[1].params["realm"], "x");
        assert_eq!(plan(&c), AuthPlan::Basic);
    }

    #[test]
    fn a_missing_service_and_case_and_spaces_are_tolerated() {
        let c = one(r#"BEARER  Realm = "https://t.example/token" ,  Scope=registry:catalog:*"#);
        assert_eq!(
            plan(&c),
            AuthPlan::Bearer {
                realm: "https://t.example/token".into(),
                service: None,
                scope: Some("registry:catalog:*".into()),
            }
        );
    }

    #[test]
    fn escaped_quotes_and_unterminated_values_do_not_break_parsing() {
        let c = one(r#"Basic realm="say \"hi\"", charset="UTF-8""#);
        assert_eq!(c[0].params["realm"], r#"say "hi""#);
        assert_eq!(c[0].params["charset"], "UTF-8");
        let c = one(r#"Bearer realm="https://t.example/tok"#);
        assert_eq!(c[0].params["realm"], "https://t.example/tok");
    }

    #[test]
    fn a_bearer_without_realm_or_other_schemes_are_unsupported() {
        assert_eq!(
            plan(&one(r#"Bearer service="x""#)),
            AuthPlan::Unsupported {
                schemes: vec!["bearer".into()]
            }
        );
        assert_eq!(plan(&one("")), AuthPlan::Unsupported { schemes: vec![] });
        assert_eq!(
            plan(&one("Digest realm=\"x\", nonce=\"y\"")),
            AuthPlan::Unsupported {
                schemes: vec!["digest".into()]
            }
        );
    }

    #[test]
    fn token68_credentials_and_garbage_are_skipped() {
        // `Newauth abc==` style token68 after a scheme, then junk bytes.
        let c = one("Newauth abc==, \u{1F600} Basic realm=r");
        assert!(c
            .iter()
            .any(|c| c.scheme == "basic" && c.params["realm"] == "r"));
    }
}
