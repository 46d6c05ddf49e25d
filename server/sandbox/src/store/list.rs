//! Lists with selectors and `limit`/`continue` pagination, and delete-collection.
//!
//! A continue token is opaque to clients: base64 of `{"rv":N,"ns":..,"name":..}`, the
//! list's resourceVersion and the last key served. Pages after the first read the
//! current state after that key (there is no snapshot read as etcd offers); a token
//! whose resourceVersion has fallen out of the retained history is 410 Expired, as
//! kube-apiserver answers for a compacted one.

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{key, write::WriteOptions, Store};
use crate::resource::Resource;
use crate::selector::{FieldSelector, LabelSelector};
use crate::status::ApiStatus;

/// The filtering and paging parameters of a list.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// `labelSelector`.
    pub labels: LabelSelector,
    /// `fieldSelector`.
    pub fields: FieldSelector,
    /// `limit` (0 or absent = everything).
    pub limit: Option<usize>,
    /// `continue`.
    pub continue_token: Option<String>,
}

impl ListQuery {
    /// Whether `object` of `resource` passes both selectors.
    pub fn matches(&self, resource: Resource, object: &Value) -> bool {
        self.labels.matches(object) && self.fields.matches(resource, object)
    }
}

/// One page of a list.
pub(crate) struct ListPage {
    /// The matching objects, sorted by namespace then name.
    pub items: Vec<Arc<Value>>,
    /// The list's resourceVersion.
    pub rv: u64,
    /// The token for the next page, if any.
    pub continue_token: Option<String>,
    /// How many matching objects follow this page.
    pub remaining: Option<usize>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Token {
    rv: u64,
    ns: String,
    name: String,
}

fn decode_token(raw: &str) -> Result<Token, ApiStatus> {
    let bad = || {
        ApiStatus::bad_request(format!(
            "continue key is not valid: {raw:?} is not a token this server issued"
        ))
    };
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
    serde_json::from_slice(&bytes).map_err(|_| bad())
}

fn encode_token(token: &Token) -> String {
    // Serializing a struct of strings and integers cannot fail.
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(token).unwrap_or_default())
}

const EXPIRED_CONTINUE: &str = "The provided continue parameter is too old to display a consistent list result. \
You can start a new list without the continue parameter, or use the continue token in this response to retrieve \
the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that \
were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

impl Store {
    /// Lists `resource` (in `namespace`, or everywhere) filtered and paged by `query`.
    pub(crate) fn list(
        &self,
        resource: Resource,
        namespace: Option<&str>,
        query: &ListQuery,
    ) -> Result<ListPage, ApiStatus> {
        let state = self.read();
        let (rv, after) = match query.continue_token.as_deref().filter(|t| !t.is_empty()) {
            None => (state.rv, None),
            Some(raw) => {
                let token = decode_token(raw)?;
                if token.rv < state.compacted {
                    return Err(ApiStatus::expired(EXPIRED_CONTINUE));
                }
                (token.rv, Some(key(resource, &token.ns, &token.name)))
            }
        };
        let limit = query.limit.filter(|l| *l > 0).unwrap_or(usize::MAX);
        let mut items = Vec::new();
        let mut remaining = 0usize;
        for (k, object) in state.scan(resource, namespace) {
            if after.as_ref().is_some_and(|a| k <= a) || !query.matches(resource, object) {
                continue;
            }
            if items.len() < limit {
                items.push(object.clone());
            } else {
                remaining += 1;
            }
        }
        let continue_token = (remaining > 0).then(|| {
            let last = items
                .last()
                .map(|o| (crate::object::namespace(o), crate::object::name(o)));
            let (ns, name) = last.unwrap_or(("", ""));
            encode_token(&Token {
                rv,
                ns: ns.to_string(),
                name: name.to_string(),
            })
        });
        Ok(ListPage {
            items,
            rv,
            remaining: (remaining > 0).then_some(remaining),
            continue_token,
        })
    }

    /// Deletes every object of `resource` in `namespace` matching `query` (deletecollection).
    pub(crate) fn delete_collection(
        &self,
        resource: Resource,
        namespace: &str,
        query: &ListQuery,
        opts: WriteOptions,
    ) -> Result<ListPage, ApiStatus> {
        let mut state = self.write();
        let doomed: Vec<Arc<Value>> = state
            .scan(resource, Some(namespace))
            .filter(|(_, o)| query.matches(resource, o))
            .map(|(_, o)| o.clone())
            .collect();
        let mut items = Vec::with_capacity(doomed.len());
        for old in doomed {
            items.push(Arc::new(if opts.dry_run {
                (*old).clone()
            } else {
                let last = state.delete_locked(self, resource, old);
                state.restore_default_account(self, resource, &last);
                last
            }));
        }
        Ok(ListPage {
            items,
            rv: state.rv,
            continue_token: None,
            remaining: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_garbage() {
        let raw = encode_token(&Token {
            rv: 7,
            ns: "a".into(),
            name: "b".into(),
        });
        let back = decode_token(&raw).unwrap();
        assert_eq!(
            (back.rv, back.ns.as_str(), back.name.as_str()),
            (7, "a", "b")
        );
        assert_eq!(decode_token("%%%").unwrap_err().code, 400);
        assert_eq!(
            decode_token(&URL_SAFE_NO_PAD.encode(b"[]"))
                .unwrap_err()
                .code,
            400
        );
    }
}
