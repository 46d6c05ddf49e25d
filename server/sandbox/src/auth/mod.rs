//! Authentication and authorization, as kube-apiserver runs them before any handler:
//!
//! ```text
//! request ─▶ Attributes::of(method, path, query)
//!   authorization off (the default) ─▶ identity system:unsecured, allowed
//!   authorization on:
//!     Authorization: Bearer <token> ─▶ the Identity the token was given to
//!     no or unknown token ───────────▶ 401 Unauthorized (anonymous auth is off)
//!     rbac::authorize(store objects) ─▶ allowed, or 403 with kube-apiserver's message
//!   every decision ─▶ Recorder (user, verb, group, resource[/sub], namespace, allowed)
//! ```

pub mod attributes;
pub mod rbac;
pub mod recorder;
pub(crate) mod review;

use std::collections::HashMap;
use std::path::Path;

use http::{header, HeaderMap};
use serde_json::Value;

use crate::status::ApiStatus;
use crate::store::Store;
use crate::Error;
use attributes::Attributes;
use recorder::{Access, Recorder};

/// The user name of requests when authorization is off.
pub const UNSECURED_USER: &str = "system:unsecured";
/// The user name behind [`crate::Sandbox::admin_token`].
pub const ADMIN_USER: &str = "kubernetes-admin";

/// Who a request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The user name (`system:serviceaccount:<ns>:<name>` for a ServiceAccount).
    pub name: String,
    /// The groups, `system:authenticated` included.
    pub groups: Vec<String>,
}

impl Identity {
    /// ServiceAccount `name` in `namespace`, with the groups kube-apiserver gives its tokens.
    pub fn service_account(namespace: &str, name: &str) -> Identity {
        Identity {
            name: format!("system:serviceaccount:{namespace}:{name}"),
            groups: vec![
                "system:serviceaccounts".into(),
                format!("system:serviceaccounts:{namespace}"),
                rbac::AUTHENTICATED_GROUP.into(),
            ],
        }
    }

    /// A user with `groups` (and `system:authenticated`).
    pub fn user(name: &str, groups: &[&str]) -> Identity {
        let mut all: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
        all.push(rbac::AUTHENTICATED_GROUP.into());
        Identity {
            name: name.to_string(),
            groups: all,
        }
    }

    /// `system:serviceaccount:<ns>:<name>` as that ServiceAccount, anything else as a user
    /// without groups.
    pub fn parse(name: &str) -> Identity {
        match name
            .strip_prefix("system:serviceaccount:")
            .and_then(|r| r.split_once(':'))
        {
            Some((ns, sa)) if !ns.is_empty() && !sa.is_empty() => Identity::service_account(ns, sa),
            _ => Identity::user(name, &[]),
        }
    }

    fn admin() -> Identity {
        Identity::user(ADMIN_USER, &[rbac::MASTERS_GROUP])
    }
}

/// Turns on authorization: bearer tokens and the RBAC objects to start with.
#[derive(Debug, Clone, Default)]
pub struct Authorization {
    tokens: Vec<(String, Identity)>,
    manifests: Vec<Value>,
}

impl Authorization {
    /// Authorization on, with no tokens and no RBAC objects yet (only the admin token works).
    pub fn rbac() -> Authorization {
        Authorization::default()
    }

    /// Accepts `token` as `identity`.
    pub fn token(mut self, token: &str, identity: Identity) -> Authorization {
        self.tokens.push((token.to_string(), identity));
        self
    }

    /// Adds a `TOKEN=USER` flag value (`USER` as in [`Identity::parse`]).
    pub fn token_flag(self, flag: &str) -> Result<Authorization, Error> {
        match flag.split_once('=') {
            Some((token, user)) if !token.is_empty() && !user.is_empty() => {
                Ok(self.token(token, Identity::parse(user)))
            }
            _ => Err(Error::Manifest(format!(
                "a token flag is TOKEN=USER, e.g. abc=system:serviceaccount:ns:name; got {flag:?}"
            ))),
        }
    }

    /// Adds every object of a multi-document YAML text (RBAC objects, or anything else
    /// the sandbox serves), created when the sandbox starts (replacing a seeded one).
    pub fn manifests_yaml(mut self, yaml: &str) -> Result<Authorization, Error> {
        for document in serde_yaml_ng::Deserializer::from_str(yaml) {
            let value = <Value as serde::Deserialize>::deserialize(document)
                .map_err(|e| Error::Manifest(format!("not YAML: {e}")))?;
            match value {
                Value::Null => {}
                Value::Object(_) => self.manifests.push(value),
                other => {
                    return Err(Error::Manifest(format!("not an object: {other}")));
                }
            }
        }
        Ok(self)
    }

    /// [`Authorization::manifests_yaml`] of a file (e.g. the output of `kubectl kustomize`).
    pub fn manifests_file(self, path: &Path) -> Result<Authorization, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Manifest(format!("cannot read {}: {e}", path.display())))?;
        self.manifests_yaml(&text)
    }

    /// The objects to create at start.
    pub(crate) fn manifests(&self) -> &[Value] {
        &self.manifests
    }
}

/// The authentication and authorization every request passes (crate-internal).
#[derive(Debug, Default)]
pub(crate) struct Gate {
    /// `None`: authorization off, everything allowed.
    tokens: Option<HashMap<String, Identity>>,
    /// Every decision.
    pub recorder: Recorder,
}

impl Gate {
    /// A gate for `authorization` (with `admin_token` as a system:masters user), or an
    /// allow-all gate.
    pub fn new(authorization: Option<&Authorization>, admin_token: &str) -> Gate {
        let tokens = authorization.map(|a| {
            let mut map: HashMap<String, Identity> = a.tokens.iter().cloned().collect();
            map.insert(admin_token.to_string(), Identity::admin());
            map
        });
        Gate {
            tokens,
            recorder: Recorder::default(),
        }
    }

    fn authenticate(&self, headers: &HeaderMap) -> Result<Identity, ApiStatus> {
        let Some(tokens) = &self.tokens else {
            return Ok(Identity::user(UNSECURED_USER, &[rbac::MASTERS_GROUP]));
        };
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        token
            .and_then(|t| tokens.get(t))
            .cloned()
            .ok_or_else(ApiStatus::unauthorized)
    }

    /// Authenticates and authorizes a request, recording the decision.
    pub fn check(
        &self,
        store: &Store,
        headers: &HeaderMap,
        attrs: &Attributes,
    ) -> Result<Identity, ApiStatus> {
        let identity = self.authenticate(headers)?;
        let decision = rbac::authorize(store, &identity, attrs);
        self.recorder
            .record(Access::of(&identity.name, attrs, decision.allowed));
        if decision.allowed {
            Ok(identity)
        } else {
            Err(forbidden(&identity, attrs, &decision.reason))
        }
    }
}

/// kube-apiserver's `forbiddenMessage`, sanitized, with the authorizer's reason appended.
fn forbidden(user: &Identity, attrs: &Attributes, reason: &str) -> ApiStatus {
    let name = &user.name;
    let verb = &attrs.verb;
    let message = if !attrs.resource_request {
        format!("User {name:?} cannot {verb} path {:?}", attrs.path)
    } else {
        let resource = attrs.combined_resource();
        let group = &attrs.api_group;
        match attrs.namespace.as_str() {
            "" => format!(
                "User {name:?} cannot {verb} resource {resource:?} in API group {group:?} at the cluster scope"
            ),
            ns => format!(
                "User {name:?} cannot {verb} resource {resource:?} in API group {group:?} in the namespace {ns:?}"
            ),
        }
    };
    let sanitized = message
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let why = if reason.is_empty() {
        sanitized
    } else {
        format!("{sanitized}: {reason}")
    };
    let (group, resource) = if attrs.resource_request {
        (attrs.api_group.as_str(), attrs.resource.as_str())
    } else {
        ("", "")
    };
    ApiStatus::forbidden_request(group, resource, &attrs.name, &why)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;

    #[test]
    fn forbidden_messages() {
        let sa = Identity::service_account("regboard-system", "regboard");
        let attrs = Attributes::of(&Method::GET, "/api/v1/secrets", &Default::default());
        let body = forbidden(&sa, &attrs, "").to_json();
        assert_eq!(
            body["message"],
            "secrets is forbidden: User \"system:serviceaccount:regboard-system:regboard\" cannot list resource \"secrets\" in API group \"\" at the cluster scope"
        );
        assert_eq!(body["details"], serde_json::json!({"kind": "secrets"}));
        let path = Attributes::of(&Method::GET, "/metrics", &Default::default());
        let body = forbidden(&sa, &path, "").to_json();
        assert_eq!(
            body["message"],
            "forbidden: User \"system:serviceaccount:regboard-system:regboard\" cannot get path \"/metrics\""
        );
        assert_eq!(body["details"], serde_json::json!({}));
    }

    #[test]
    fn identities() {
        assert_eq!(
            Identity::parse("system:serviceaccount:a:b"),
            Identity::service_account("a", "b")
        );
        assert_eq!(Identity::parse("jane").groups, ["system:authenticated"]);
    }
}
