//! Throttling like kube-apiserver's API Priority and Fairness (APF) when its
//! queues are full: beyond `limit` requests in flight from one client, a
//! request is refused at once with 429, before authorization or the store
//! see it, as `WithPriorityAndFairness` refuses it.
//!
//! ```text
//! request ─► flow (the bearer token the request presents, one per user here;
//!            APF's usual flow distinguisher is the user name) ─► seat?
//!   taken < limit ─► Seat (held through the injected latency and the handler)
//!   otherwise     ─► 429 text/plain "Too many requests, please try again later."
//!                    with Retry-After (APF's first value is 1 s)
//! watches (long-running requests) never take a seat, as in kube-apiserver
//! ```
//!
//! The answer is what kube-apiserver writes through Go's `http.Error` in
//! `tooManyRequests` (k8s.io/apiserver/pkg/server/filters/maxinflight.go,
//! called from priority-and-fairness.go): a plain-text body, not a `Status`,
//! with `Content-Type: text/plain; charset=utf-8` and
//! `X-Content-Type-Options: nosniff`; only the header says how long to
//! wait. Not emulated: APF's queuing before a refusal, its exempt priority
//! level (system:masters is throttled here too), its growing Retry-After
//! under sustained refusals, and its `X-Kubernetes-PF-*` headers.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Body;
use axum::response::Response;
use http::{header, HeaderMap, HeaderValue, StatusCode};

use crate::faults::RequestInfo;

/// kube-apiserver's 429 body (Go's `http.Error` appends the newline).
pub const TOO_MANY_REQUESTS: &str = "Too many requests, please try again later.\n";

/// The cap and the Retry-After it answers with.
#[derive(Debug, Clone, Copy)]
struct Cap {
    limit: usize,
    retry_after: u64,
}

#[derive(Debug, Default)]
struct Inner {
    cap: Option<Cap>,
    in_flight: HashMap<String, usize>,
}

/// The in-flight cap per client; cheap to clone.
#[derive(Debug, Clone, Default)]
pub(crate) struct Throttle {
    inner: Arc<Mutex<Inner>>,
    refused: Arc<AtomicU64>,
}

/// A request in flight: its seat is given back when dropped.
#[derive(Debug)]
pub(crate) struct Seat {
    throttle: Throttle,
    flow: String,
}

impl Drop for Seat {
    fn drop(&mut self) {
        let mut inner = self.throttle.lock();
        if let Some(n) = inner.in_flight.get_mut(&self.flow) {
            *n -= 1;
            if *n == 0 {
                inner.in_flight.remove(&self.flow);
            }
        }
    }
}

/// A refused request: the 429 to answer.
#[derive(Debug)]
pub(crate) struct Refused {
    retry_after: u64,
}

impl Throttle {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Refuses requests beyond `limit` in flight per client with 429 and
    /// `Retry-After: retry_after`; `None` turns the cap off.
    pub fn set(&self, cap: Option<(usize, u64)>) {
        self.lock().cap = cap.map(|(limit, retry_after)| Cap { limit, retry_after });
    }

    /// Requests refused so far.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::SeqCst)
    }

    /// A seat for the request, none when no cap is set or the request is
    /// long-running, or the refusal.
    pub fn admit(&self, info: &RequestInfo, headers: &HeaderMap) -> Result<Option<Seat>, Refused> {
        if is_long_running(&info.path) {
            return Ok(None);
        }
        let mut inner = self.lock();
        let Some(cap) = inner.cap else {
            return Ok(None);
        };
        let flow = flow_of(headers);
        let taken = inner.in_flight.entry(flow.clone()).or_default();
        if *taken >= cap.limit {
            self.refused.fetch_add(1, Ordering::SeqCst);
            return Err(Refused {
                retry_after: cap.retry_after,
            });
        }
        *taken += 1;
        Ok(Some(Seat {
            throttle: self.clone(),
            flow,
        }))
    }
}

impl Refused {
    /// kube-apiserver's answer: 429, plain text, `Retry-After`.
    pub fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(TOO_MANY_REQUESTS));
        *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(header::RETRY_AFTER, HeaderValue::from(self.retry_after));
        response
    }
}

/// The client a request comes from: the credential it presents (the
/// sandbox maps each token to one user), or anonymous.
fn flow_of(headers: &HeaderMap) -> String {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("anonymous")
        .to_string()
}

/// A watch, which kube-apiserver's in-flight limits leave alone.
fn is_long_running(path_and_query: &str) -> bool {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    path.split('/').any(|segment| segment == "watch")
        || query
            .split('&')
            .any(|kv| kv == "watch=true" || kv == "watch=1")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str) -> RequestInfo {
        RequestInfo {
            method: "POST".into(),
            resource: Some("secrets".into()),
            path: path.into(),
        }
    }

    fn bearer(token: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let value = HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
        headers.insert(header::AUTHORIZATION, value);
        headers
    }

    #[test]
    fn beyond_the_limit_per_client_requests_are_refused() {
        let throttle = Throttle::default();
        let post = request("/api/v1/namespaces/a/secrets");
        assert!(
            throttle.admit(&post, &bearer("a")).unwrap().is_none(),
            "off"
        );
        throttle.set(Some((2, 1)));
        let first = throttle.admit(&post, &bearer("a")).unwrap();
        let second = throttle.admit(&post, &bearer("a")).unwrap();
        assert!(first.is_some() && second.is_some());
        assert!(throttle.admit(&post, &bearer("a")).is_err());
        assert!(
            throttle.admit(&post, &bearer("b")).unwrap().is_some(),
            "another client has its own seats"
        );
        drop(first);
        assert!(throttle.admit(&post, &bearer("a")).unwrap().is_some());
        assert_eq!(throttle.refused(), 1);
    }

    #[test]
    fn watches_take_no_seat() {
        let throttle = Throttle::default();
        throttle.set(Some((0, 1)));
        let watch = request("/api/v1/secrets?labelSelector=x&watch=true&resourceVersion=1");
        assert!(throttle.admit(&watch, &HeaderMap::new()).unwrap().is_none());
        let old_style = request("/api/v1/watch/namespaces/a/secrets");
        assert!(throttle
            .admit(&old_style, &HeaderMap::new())
            .unwrap()
            .is_none());
        let list = request("/api/v1/secrets?watchy=true");
        assert!(throttle.admit(&list, &HeaderMap::new()).is_err());
    }
}
