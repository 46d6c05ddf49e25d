//! The reconciler's and the attacher's cluster calls, paced: each call takes
//! a seat (at most [`Pacer::limit`] are taken at once), its round trip or its
//! 429 goes back to the pacer, and a 429's `Retry-After` pauses every new
//! call until it has passed; then the same call is made again.
//!
//! ```text
//! Pace::call(f) ─► seat (wait: pause over, seats taken < limit) ─► f() within timeout
//!   Ok / 4xx ─► pacer.on_success(rtt) ─► answer
//!   429      ─► pacer.on_throttled, pause Retry-After (1 s when the answer
//!               names none), count a "throttled" retry, call again
//!   5xx, transport, timeout ─► backoff, count a "transient" retry, call again
//! ```
//!
//! kube-apiserver's API Priority and Fairness answers a 429 in plain text
//! with the wait only in the `Retry-After` header, which kube-rs does not
//! keep (`kube::Error::Api` then carries a reconstructed Status with no
//! details); a 429 with a Status body (`details.retryAfterSeconds`, as
//! kube-apiserver's storage and webhooks send it) is honoured as it says.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::pace::{Bounds, Pacer, Ticket};
use crate::cluster::describe_kube_error;
use crate::cluster::errors::{is_transient, retry_after, status_code};
use crate::metrics::ReconcileMetrics;

/// Attempts per call after transient failures (the first try plus retries).
const ATTEMPTS: u32 = 4;
/// The first retry delay after a transient failure; doubled each time.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// The wait after a 429 that names none (kube-apiserver's first Retry-After).
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);
/// The longest pause one 429 imposes, whatever it asks.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// 429s one call takes before it gives up for this pass (the next pass
/// tries again); about a minute of waiting at the default Retry-After.
const THROTTLED_ATTEMPTS: u32 = 60;

/// The shared pace of cluster writes; cheap to clone.
#[derive(Clone)]
pub struct Pace {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    freed: Notify,
    metrics: ReconcileMetrics,
}

struct State {
    pacer: Pacer,
    taken: usize,
    paused_until: Option<tokio::time::Instant>,
}

impl std::fmt::Debug for Pace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pace")
            .field("limit", &self.limit())
            .finish_non_exhaustive()
    }
}

impl Pace {
    /// A pace within `bounds`, counting its retries in `metrics`.
    pub fn new(bounds: Bounds, metrics: ReconcileMetrics) -> Self {
        let pacer = Pacer::new(bounds);
        metrics.set_concurrency_limit(pacer.limit());
        Self {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    pacer,
                    taken: 0,
                    paused_until: None,
                }),
                freed: Notify::new(),
                metrics,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Calls in flight allowed now.
    pub fn limit(&self) -> usize {
        self.lock().pacer.limit()
    }

    /// The most calls ever allowed in flight.
    pub fn max(&self) -> usize {
        self.lock().pacer.bounds().max
    }

    /// The base round trip learnt so far.
    pub fn base_rtt(&self) -> Option<Duration> {
        self.lock().pacer.base_rtt()
    }

    /// `call()` within `timeout` once a seat is free, made again after a 429
    /// (once its Retry-After has passed) and after transient failures.
    pub async fn call<T, F, Fut>(&self, timeout: Duration, mut call: F) -> Result<T, kube::Error>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, kube::Error>>,
    {
        let mut backoff = FIRST_BACKOFF;
        let (mut failures, mut throttled) = (1, 0);
        loop {
            let seat = self.seat().await;
            let result = match tokio::time::timeout(timeout, call()).await {
                Ok(result) => result,
                Err(_) => Err(timeout_error(timeout)),
            };
            match result {
                Err(e) if status_code(&e) == Some(429) && throttled < THROTTLED_ATTEMPTS => {
                    throttled += 1;
                    let wait = retry_after(&e).unwrap_or(DEFAULT_RETRY_AFTER);
                    seat.throttled(wait.min(MAX_RETRY_AFTER));
                    self.shared.metrics.retried("throttled");
                    tracing::debug!(?wait, limit = self.limit(), "throttled (429); retrying");
                }
                Err(e)
                    if failures < ATTEMPTS && status_code(&e) != Some(429) && is_transient(&e) =>
                {
                    drop(seat);
                    failures += 1;
                    self.shared.metrics.retried("transient");
                    tracing::debug!(?backoff, error = %describe_kube_error(&e), "transient failure; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                }
                other => {
                    seat.answered();
                    return other;
                }
            }
        }
    }

    /// Waits until the pause is over and fewer than `limit` seats are taken.
    async fn seat(&self) -> Seat<'_> {
        loop {
            let freed = self.shared.freed.notified();
            let mut freed = std::pin::pin!(freed);
            freed.as_mut().enable();
            let paused = {
                let mut state = self.lock();
                match state.paused_until {
                    Some(until) if until > tokio::time::Instant::now() => Some(until),
                    _ if state.taken < state.pacer.limit() => {
                        state.taken += 1;
                        return Seat {
                            pace: self,
                            ticket: state.pacer.ticket(),
                            started: Instant::now(),
                            done: false,
                        };
                    }
                    _ => None,
                }
            };
            match paused {
                Some(until) => tokio::time::sleep_until(until).await,
                None => freed.await,
            }
        }
    }

    /// Gives a seat back, telling the pacer how its call went.
    fn release(&self, ticket: Ticket, outcome: Option<Result<Duration, Duration>>) {
        let limit = {
            let mut state = self.lock();
            state.taken -= 1;
            match outcome {
                Some(Ok(rtt)) => state.pacer.on_success(ticket, rtt),
                Some(Err(wait)) => {
                    state.pacer.on_throttled(ticket);
                    let until = tokio::time::Instant::now() + wait;
                    state.paused_until = Some(state.paused_until.map_or(until, |u| u.max(until)));
                }
                None => {}
            }
            state.pacer.limit()
        };
        self.shared.metrics.set_concurrency_limit(limit);
        self.shared.freed.notify_waiters();
    }
}

/// One call in flight; given back when dropped.
struct Seat<'a> {
    pace: &'a Pace,
    ticket: Ticket,
    started: Instant,
    done: bool,
}

impl Seat<'_> {
    /// The call was answered (successfully or not, but not with a 429).
    fn answered(mut self) {
        self.done = true;
        let rtt = self.started.elapsed();
        self.pace.release(self.ticket, Some(Ok(rtt)));
    }

    /// The call was refused with a 429 asking to wait `wait`.
    fn throttled(mut self, wait: Duration) {
        self.done = true;
        self.pace.release(self.ticket, Some(Err(wait)));
    }
}

impl Drop for Seat<'_> {
    fn drop(&mut self) {
        if !self.done {
            // Failed in transport or dropped mid-way: no round trip to learn from.
            self.pace.release(self.ticket, None);
        }
    }
}

fn timeout_error(timeout: Duration) -> kube::Error {
    kube::Error::Api(
        kube::core::Status::failure(
            &format!("no answer within {:.1} s", timeout.as_secs_f64()),
            "Timeout",
        )
        .with_code(504)
        .boxed(),
    )
}
