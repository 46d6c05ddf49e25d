//! Latency and fault injection, driven by tests through [`Faults`].
//!
//! Every request is first described as a [`RequestInfo`] (method, resource, path);
//! rules whose [`RequestMatch`] fits are consulted in the order they were added. A
//! failing rule answers with a proper `Status` body and the request never reaches the
//! store. Counters registered with [`Faults::counter`] count matching requests.
//! [`Faults::throttle_in_flight`] refuses requests beyond a number in flight
//! per client with 429, as API Priority and Fairness does (module `throttle`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::status::ApiStatus;
use crate::throttle::{Refused, Seat, Throttle};

/// The facts of one incoming request a rule can match on.
#[derive(Debug, Clone)]
pub struct RequestInfo {
    /// HTTP method, upper case.
    pub method: String,
    /// Plural resource (`secrets`), if the path names one.
    pub resource: Option<String>,
    /// Path and query.
    pub path: String,
}

/// Which requests a rule or counter applies to; every given criterion must hold.
#[derive(Debug, Clone, Default)]
pub struct RequestMatch {
    method: Option<String>,
    resource: Option<String>,
    path_contains: Option<String>,
}

impl RequestMatch {
    /// Matches every request.
    pub fn any() -> Self {
        Self::default()
    }

    /// Only requests with this HTTP method (`"POST"`, case-insensitive).
    pub fn method(mut self, method: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    /// Only requests for this plural resource (`"secrets"`).
    pub fn resource(mut self, resource: &str) -> Self {
        self.resource = Some(resource.to_string());
        self
    }

    /// Only requests whose path-and-query contains `needle` (e.g. `"watch=true"`).
    pub fn path_contains(mut self, needle: &str) -> Self {
        self.path_contains = Some(needle.to_string());
        self
    }

    /// Whether `info` satisfies this match.
    pub fn matches(&self, info: &RequestInfo) -> bool {
        self.method.as_ref().is_none_or(|m| *m == info.method)
            && self
                .resource
                .as_ref()
                .is_none_or(|r| Some(r) == info.resource.as_ref())
            && self
                .path_contains
                .as_ref()
                .is_none_or(|p| info.path.contains(p.as_str()))
    }
}

enum Action {
    FailNth {
        n: u64,
        seen: u64,
        status: u16,
    },
    FailFraction {
        p: f64,
        rng: Box<StdRng>,
        status: u16,
    },
    Hang {
        duration: Duration,
    },
}

struct Rule {
    matcher: RequestMatch,
    action: Action,
}

#[derive(Default)]
struct Inner {
    latency: Duration,
    rules: Vec<Rule>,
    counters: Vec<(RequestMatch, Arc<AtomicU64>)>,
}

/// A live count of requests matching a [`RequestMatch`], registered with [`Faults::counter`].
#[derive(Debug, Clone)]
pub struct Counter(Arc<AtomicU64>);

impl Counter {
    /// Requests counted so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// The fault-injection control of a sandbox; cheap to clone, shared with the server.
#[derive(Clone, Default)]
pub struct Faults {
    inner: Arc<Mutex<Inner>>,
    served: Arc<AtomicU64>,
    throttle: Throttle,
}

/// What the server should do with a request after consulting the faults.
#[derive(Debug, Default)]
pub(crate) struct Verdict {
    /// Sleep this long first.
    pub delay: Duration,
    /// Then fail with this status instead of serving.
    pub fail: Option<ApiStatus>,
}

impl Faults {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds `latency` to every request.
    pub fn set_latency(&self, latency: Duration) {
        self.lock().latency = latency;
    }

    /// Fails the `n`th request (1-based, counted from now) matching `matcher` with HTTP `status`.
    pub fn fail_nth(&self, matcher: RequestMatch, n: u64, status: u16) {
        self.lock().rules.push(Rule {
            matcher,
            action: Action::FailNth { n, seen: 0, status },
        });
    }

    /// Fails a fraction `p` (0..=1) of matching requests with `status`, drawn from a
    /// generator seeded with `seed`, so the same request sequence fails the same way.
    pub fn fail_fraction(&self, matcher: RequestMatch, p: f64, seed: u64, status: u16) {
        let action = Action::FailFraction {
            p: p.clamp(0.0, 1.0),
            rng: Box::new(StdRng::seed_from_u64(seed)),
            status,
        };
        self.lock().rules.push(Rule { matcher, action });
    }

    /// Makes every matching request hang for `duration` before it is served.
    pub fn hang(&self, matcher: RequestMatch, duration: Duration) {
        self.lock().rules.push(Rule {
            matcher,
            action: Action::Hang { duration },
        });
    }

    /// Refuses a request with 429 and `Retry-After: retry_after_secs`, as
    /// kube-apiserver's API Priority and Fairness does, while `limit`
    /// requests from the same client (the same bearer token) are in flight;
    /// watches are never refused. A request holds its seat through the
    /// injected latency.
    pub fn throttle_in_flight(&self, limit: usize, retry_after_secs: u64) {
        self.throttle.set(Some((limit, retry_after_secs)));
    }

    /// Requests refused by [`Faults::throttle_in_flight`] so far.
    pub fn throttled(&self) -> u64 {
        self.throttle.refused()
    }

    /// Removes latency, the throttle and every rule (counters keep counting).
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.latency = Duration::ZERO;
        inner.rules.clear();
        self.throttle.set(None);
    }

    /// A seat for the request under the throttle (none without one), or its 429.
    pub(crate) fn admit(
        &self,
        info: &RequestInfo,
        headers: &http::HeaderMap,
    ) -> Result<Option<Seat>, Refused> {
        self.throttle.admit(info, headers)
    }

    /// Registers a counter of requests matching `matcher` from now on.
    pub fn counter(&self, matcher: RequestMatch) -> Counter {
        let count = Arc::new(AtomicU64::new(0));
        self.lock().counters.push((matcher, count.clone()));
        Counter(count)
    }

    /// Total requests the sandbox has received.
    pub fn served(&self) -> u64 {
        self.served.load(Ordering::SeqCst)
    }

    /// Counts `info` and decides its fate.
    pub(crate) fn consult(&self, info: &RequestInfo) -> Verdict {
        self.served.fetch_add(1, Ordering::SeqCst);
        let mut inner = self.lock();
        for (matcher, count) in &inner.counters {
            if matcher.matches(info) {
                count.fetch_add(1, Ordering::SeqCst);
            }
        }
        let mut verdict = Verdict {
            delay: inner.latency,
            fail: None,
        };
        for rule in inner.rules.iter_mut().filter(|r| r.matcher.matches(info)) {
            let failed = match &mut rule.action {
                Action::Hang { duration } => {
                    verdict.delay += *duration;
                    None
                }
                Action::FailNth { n, seen, status } => {
                    *seen += 1;
                    (*seen == *n).then_some(*status)
                }
                Action::FailFraction { p, rng, status } => {
                    (rng.gen::<f64>() < *p).then_some(*status)
                }
            };
            if let Some(code) = failed {
                if verdict.fail.is_none() {
                    let message = format!(
                        "injected fault: {} {} failed with {code}",
                        info.method, info.path
                    );
                    verdict.fail = Some(ApiStatus::from_code(code, message));
                }
            }
        }
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post_secrets() -> RequestInfo {
        RequestInfo {
            method: "POST".into(),
            resource: Some("secrets".into()),
            path: "/api/v1/namespaces/a/secrets".into(),
        }
    }

    #[test]
    fn nth_and_counters() {
        let faults = Faults::default();
        let counter = faults.counter(RequestMatch::any().resource("secrets"));
        faults.fail_nth(
            RequestMatch::any().method("post").resource("secrets"),
            3,
            500,
        );
        let codes: Vec<Option<u16>> = (0..4)
            .map(|_| faults.consult(&post_secrets()).fail.map(|s| s.code))
            .collect();
        assert_eq!(codes, vec![None, None, Some(500), None]);
        assert_eq!(counter.get(), 4);
        assert_eq!(faults.served(), 4);
    }

    #[test]
    fn fraction_is_reproducible() {
        let run = || {
            let faults = Faults::default();
            faults.fail_fraction(RequestMatch::any(), 0.3, 42, 503);
            (0..100)
                .map(|_| faults.consult(&post_secrets()).fail.is_some())
                .collect::<Vec<_>>()
        };
        let first = run();
        assert_eq!(first, run());
        let failures = first.iter().filter(|f| **f).count();
        assert!((15..=45).contains(&failures), "{failures}");
    }
}
