//! The pacer: how many cluster writes the reconciler keeps in flight, as a
//! pure state machine (no clock, no IO) fed with each write's round trip
//! and with the API server's 429s.
//!
//! ```text
//! limit ∈ [min, max], starting at `start`
//! each write:   ticket() at start ─► on_success(ticket, rtt) | on_throttled(ticket)
//! every `limit` successes (a window, about one round trip of the fleet):
//!   window's fastest rtt ≤ TOLERANCE × base + SLACK  ─► grow
//!       (slow start: ×2 until the first cut, then +1 per window)
//!   otherwise (queueing: the server or the link is saturated) ─► ×RTT_CUT
//! a 429 ─► ×THROTTLE_CUT (the caller also waits its Retry-After)
//! cuts happen once per epoch: a write started before the last cut cannot cut again
//! ```
//!
//! This is TCP Vegas's reading of latency (the smallest round trip of the
//! last window against the base round trip, so one slow answer among fast
//! ones is noise, not congestion) with TCP's AIMD and slow start on top; the
//! base is a windowed minimum, as Netflix concurrency-limits' Gradient2 and
//! envoy's adaptive concurrency filter keep their `minRTT`, so a base that
//! rose for good (a farther cluster) is relearned within two buckets of
//! samples. Unlike envoy, the pacer never drops to `min` on purpose to
//! re-measure: the windowed minimum relearns the base from the traffic
//! itself.

use std::time::Duration;

/// How far above the base a window's fastest round trip may be and still
/// count as "near the base" (a multiple of the base) ...
pub const TOLERANCE: f64 = 2.0;
/// ... plus this much (at a sub-millisecond base, scheduling noise alone
/// doubles a round trip).
pub const SLACK: Duration = Duration::from_millis(1);
/// The limit is multiplied by this when round trips rise well above the base.
pub const RTT_CUT: f64 = 0.75;
/// The limit is multiplied by this on a 429 (TooManyRequests).
pub const THROTTLE_CUT: f64 = 0.5;
/// Samples per bucket of the windowed minimum; the base is the smaller of
/// the current and the previous bucket's minimum.
pub const BASE_BUCKET: u32 = 256;

/// The default lower bound of the limit (`--reconcile-concurrency-min`).
pub const DEFAULT_MIN: u16 = 4;
/// The default start of the limit (`--reconcile-concurrency`).
pub const DEFAULT_START: u16 = 16;
/// The default upper bound of the limit (`--reconcile-concurrency-max`).
pub const DEFAULT_MAX: u16 = 64;

/// The bounds of the limit and where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// The limit never goes below this (at least 1).
    pub min: usize,
    /// Where the limit starts (clamped into `min..=max`).
    pub start: usize,
    /// The limit never goes above this.
    pub max: usize,
}

impl Bounds {
    /// Bounds with `min ≥ 1`, `max ≥ min` and `start` between them.
    pub fn new(min: usize, start: usize, max: usize) -> Self {
        let min = min.max(1);
        let max = max.max(min);
        Self {
            min,
            start: start.clamp(min, max),
            max,
        }
    }

    /// The defaults of the command line.
    pub fn defaults() -> Self {
        Self::new(DEFAULT_MIN.into(), DEFAULT_START.into(), DEFAULT_MAX.into())
    }

    /// A fixed limit of `n` (min = start = max).
    pub fn fixed(n: usize) -> Self {
        Self::new(n, n, n)
    }
}

/// Handed out when a write starts; given back with its outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    epoch: u64,
}

/// The smallest round trip over the last one or two buckets of samples.
#[derive(Debug, Clone, Default)]
struct WindowedMin {
    previous: Option<Duration>,
    current: Option<Duration>,
    samples: u32,
}

impl WindowedMin {
    fn observe(&mut self, rtt: Duration) {
        self.current = Some(self.current.map_or(rtt, |c| c.min(rtt)));
        self.samples += 1;
        if self.samples >= BASE_BUCKET {
            self.previous = self.current.take();
            self.samples = 0;
        }
    }

    fn get(&self) -> Option<Duration> {
        match (self.previous, self.current) {
            (Some(p), Some(c)) => Some(p.min(c)),
            (p, c) => p.or(c),
        }
    }
}

/// The limit on writes in flight and what it learnt.
#[derive(Debug, Clone)]
pub struct Pacer {
    bounds: Bounds,
    limit: f64,
    /// Below this the limit doubles per window (slow start); above, +1.
    threshold: f64,
    /// Incremented by every cut; tickets from older epochs cannot cut.
    epoch: u64,
    base: WindowedMin,
    /// The fastest round trip of the current window and its size so far.
    window_min: Option<Duration>,
    window_len: usize,
}

impl Pacer {
    /// A pacer at `bounds.start`, in slow start.
    pub fn new(bounds: Bounds) -> Self {
        let bounds = Bounds::new(bounds.min, bounds.start, bounds.max);
        Self {
            bounds,
            limit: bounds.start as f64,
            threshold: bounds.max as f64,
            epoch: 0,
            base: WindowedMin::default(),
            window_min: None,
            window_len: 0,
        }
    }

    /// Writes that may be in flight now.
    pub fn limit(&self) -> usize {
        (self.limit.floor() as usize).clamp(self.bounds.min, self.bounds.max)
    }

    /// The bounds it keeps to.
    pub fn bounds(&self) -> Bounds {
        self.bounds
    }

    /// The base round trip learnt so far.
    pub fn base_rtt(&self) -> Option<Duration> {
        self.base.get()
    }

    /// The ticket of a write starting now.
    pub fn ticket(&self) -> Ticket {
        Ticket { epoch: self.epoch }
    }

    /// A write answered (anything but a 429) after `rtt`.
    pub fn on_success(&mut self, ticket: Ticket, rtt: Duration) {
        self.base.observe(rtt);
        if ticket.epoch != self.epoch {
            return; // started before the last cut: says nothing about the new limit
        }
        self.window_min = Some(self.window_min.map_or(rtt, |m| m.min(rtt)));
        self.window_len += 1;
        if self.window_len >= self.limit() {
            self.end_window();
        }
    }

    /// A write was refused with 429 (TooManyRequests).
    pub fn on_throttled(&mut self, ticket: Ticket) {
        if ticket.epoch == self.epoch {
            self.cut(THROTTLE_CUT);
        }
    }

    fn end_window(&mut self) {
        let fastest = self.window_min.take().unwrap_or_default();
        self.window_len = 0;
        let base = self.base.get().unwrap_or(fastest);
        let near = base.mul_f64(TOLERANCE) + SLACK;
        if fastest > near {
            self.cut(RTT_CUT);
        } else if self.limit < self.threshold {
            self.limit = (self.limit * 2.0).min(self.threshold);
        } else {
            self.limit += 1.0;
        }
        self.limit = self
            .limit
            .clamp(self.bounds.min as f64, self.bounds.max as f64);
    }

    fn cut(&mut self, factor: f64) {
        self.limit = (self.limit * factor).max(self.bounds.min as f64);
        self.threshold = self.limit;
        self.epoch += 1;
        self.window_min = None;
        self.window_len = 0;
    }
}

#[cfg(test)]
#[path = "pace_tests.rs"]
mod tests;
