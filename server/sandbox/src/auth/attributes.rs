//! The authorization attributes of a request, derived from its method, path and query
//! exactly as kube-apiserver's `RequestInfoFactory` derives them:
//!
//! ```text
//! /api/v1[/namespaces/{ns}]/{resource}[/{name}[/{subresource}]]        core group
//! /apis/{group}/{version}[/namespaces/{ns}]/{resource}[/{name}[/{sub}]]
//! /api/v1/namespaces/{name}            resource namespaces, namespace = name = {name}
//! anything else (/api, /apis/apps/v1, /version, /openapi/v3, ...)   a non-resource path
//! verb: POST create · GET get (no name: list, or watch with watch=true) · PUT update ·
//!       PATCH patch · DELETE delete (no name: deletecollection); non-resource: lower-case method
//! list/watch with fieldSelector metadata.name=N is a request for the object named N
//! ```

use http::Method;

use crate::http::Query;

/// What a request asks to do, as the authorizer sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    /// `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`
    /// (or the lower-case HTTP method for a non-resource path).
    pub verb: String,
    /// Whether the path names a resource (else it is a non-resource URL).
    pub resource_request: bool,
    /// The request path (for non-resource rules and messages).
    pub path: String,
    /// The API group (`""` for core).
    pub api_group: String,
    /// The API version.
    pub api_version: String,
    /// The namespace (`""` for cluster scope).
    pub namespace: String,
    /// The plural resource.
    pub resource: String,
    /// The subresource (`status`, `log`, ...), or `""`.
    pub subresource: String,
    /// The object name, or `""`.
    pub name: String,
}

impl Attributes {
    /// `resource` or `resource/subresource`, as RBAC rules name it.
    pub fn combined_resource(&self) -> String {
        if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        }
    }

    /// Derives the attributes of `method` on `path` with `query`.
    pub fn of(method: &Method, path: &str, query: &Query) -> Attributes {
        let mut info = Attributes {
            verb: method.as_str().to_ascii_lowercase(),
            path: path.to_string(),
            ..Attributes::default()
        };
        let all: Vec<&str> = path.trim_matches('/').split('/').collect();
        if all.len() < 3 || !matches!(all[0], "api" | "apis") {
            return info;
        }
        let mut parts = &all[1..];
        if all[0] == "apis" {
            if parts.len() < 3 {
                return info;
            }
            info.api_group = parts[0].to_string();
            parts = &parts[1..];
        }
        info.api_version = parts[0].to_string();
        parts = &parts[1..];
        if matches!(parts.first(), Some(&"watch" | &"proxy")) {
            if parts.len() < 2 {
                return info;
            }
            info.verb = parts[0].to_string();
            parts = &parts[1..];
        } else {
            info.verb = http_verb(method).to_string();
        }
        info.resource_request = true;
        if parts.first() == Some(&"namespaces") && parts.len() > 1 {
            info.namespace = parts[1].to_string();
            if parts.len() > 2 && !matches!(parts[2], "status" | "finalize") {
                parts = &parts[2..];
            }
        }
        if parts.len() >= 3 && info.verb != "proxy" {
            info.subresource = parts[2].to_string();
        }
        if parts.len() >= 2 {
            info.name = parts[1].to_string();
        }
        if let Some(resource) = parts.first() {
            info.resource = resource.to_string();
        }
        info.refine_collection_verb(query);
        info
    }

    /// A GET without a name is a list or watch; a DELETE without one a deletecollection.
    fn refine_collection_verb(&mut self, query: &Query) {
        if !self.name.is_empty() {
            return;
        }
        if self.verb == "get" {
            let watch = query.get("watch").map(String::as_str);
            self.verb = if matches!(watch, Some("true" | "1" | "t" | "T" | "TRUE" | "True")) {
                "watch"
            } else {
                "list"
            }
            .to_string();
            if let Some(name) = exact_name(query.get("fieldSelector").map_or("", String::as_str)) {
                self.name = name;
            }
        }
        if self.verb == "delete" {
            self.verb = "deletecollection".to_string();
        }
    }
}

fn http_verb(method: &Method) -> &'static str {
    match *method {
        Method::POST => "create",
        Method::GET | Method::HEAD => "get",
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::DELETE => "delete",
        _ => "",
    }
}

/// The name a field selector pins with `metadata.name=N` (or `==`), if it is a valid
/// path segment name.
fn exact_name(selector: &str) -> Option<String> {
    selector.split(',').find_map(|term| {
        let (field, value) = term
            .split_once("==")
            .or_else(|| term.split_once('='))
            .filter(|(f, _)| !f.ends_with('!'))?;
        let value = value.trim();
        let valid =
            !value.is_empty() && value != "." && value != ".." && !value.contains(['/', '%']);
        (field.trim() == "metadata.name" && valid).then(|| value.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(method: Method, path: &str, query: &[(&str, &str)]) -> Attributes {
        let query = query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Attributes::of(&method, path, &query)
    }

    #[test]
    fn resource_requests() {
        let a = attrs(Method::GET, "/api/v1/namespaces/x/secrets", &[]);
        assert_eq!(
            (a.verb.as_str(), a.namespace.as_str(), a.resource.as_str()),
            ("list", "x", "secrets")
        );
        let a = attrs(Method::GET, "/api/v1/secrets", &[("watch", "true")]);
        assert_eq!((a.verb.as_str(), a.namespace.as_str()), ("watch", ""));
        let a = attrs(Method::PUT, "/api/v1/namespaces/x/pods/p/status", &[]);
        assert_eq!(
            (a.combined_resource(), a.name.as_str(), a.verb.as_str()),
            ("pods/status".to_string(), "p", "update")
        );
        let a = attrs(
            Method::DELETE,
            "/apis/apps/v1/namespaces/x/deployments",
            &[],
        );
        assert_eq!(
            (a.verb.as_str(), a.api_group.as_str()),
            ("deletecollection", "apps")
        );
        let a = attrs(
            Method::GET,
            "/api/v1/namespaces/x/secrets",
            &[("fieldSelector", "metadata.name=n")],
        );
        assert_eq!((a.verb.as_str(), a.name.as_str()), ("list", "n"));
    }

    #[test]
    fn namespaces_are_their_own_namespace() {
        let a = attrs(Method::GET, "/api/v1/namespaces/x", &[]);
        assert_eq!(
            (a.resource.as_str(), a.namespace.as_str(), a.name.as_str()),
            ("namespaces", "x", "x")
        );
        let a = attrs(Method::PUT, "/api/v1/namespaces/x/finalize", &[]);
        assert_eq!(
            (a.combined_resource(), a.namespace.as_str()),
            ("namespaces/finalize".to_string(), "x")
        );
        let a = attrs(Method::GET, "/api/v1/namespaces", &[]);
        assert_eq!((a.verb.as_str(), a.namespace.as_str()), ("list", ""));
    }

    #[test]
    fn non_resource_paths() {
        for path in [
            "/api",
            "/api/v1",
            "/apis/apps/v1",
            "/version",
            "/openapi/v3",
        ] {
            let a = attrs(Method::GET, path, &[]);
            assert!(!a.resource_request, "{path}");
            assert_eq!(a.verb, "get");
        }
    }
}
