//! Login throttling per account name and per source address, in bounded
//! memory.
//!
//! Each key keeps the times of its most recent failures (at most `limit`).
//! A key with `limit` failures inside `window` is refused until the oldest
//! of them leaves the window. Unknown names are throttled exactly like
//! known ones, so the answer says nothing about which names exist.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// How many keys of each kind are remembered before the oldest are dropped.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// The throttle's limits.
#[derive(Debug, Clone, Copy)]
pub struct ThrottleLimits {
    /// Failures allowed inside `window`.
    pub limit: usize,
    /// The sliding window.
    pub window: Duration,
    /// Keys remembered per kind (accounts, addresses).
    pub capacity: usize,
}

impl Default for ThrottleLimits {
    fn default() -> Self {
        Self {
            limit: 5,
            window: Duration::from_secs(5 * 60),
            capacity: DEFAULT_CAPACITY,
        }
    }
}

/// Failed sign-ins by account and by address.
#[derive(Clone)]
pub struct LoginThrottle {
    limits: ThrottleLimits,
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    accounts: HashMap<String, VecDeque<Instant>>,
    addresses: HashMap<String, VecDeque<Instant>>,
}

impl LoginThrottle {
    /// A throttle with `limits`.
    pub fn new(limits: ThrottleLimits) -> Self {
        Self {
            limits,
            state: Arc::default(),
        }
    }

    /// `Err(wait)` while the account or the address is locked out.
    pub fn check(&self, account: &str, address: Option<&str>) -> Result<(), Duration> {
        let now = Instant::now();
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let account = account_key(account);
        let waits = [
            state.accounts.get(&account),
            address.and_then(|a| state.addresses.get(a)),
        ];
        let wait = waits
            .into_iter()
            .flatten()
            .filter_map(|times| self.wait(times, now))
            .max();
        match wait {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }

    /// Records a failed sign-in.
    pub fn failed(&self, account: &str, address: Option<&str>) {
        let now = Instant::now();
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let limits = self.limits;
        record(&mut state.accounts, account_key(account), now, limits);
        if let Some(address) = address {
            record(&mut state.addresses, address.to_owned(), now, limits);
        }
    }

    /// Forgets the account's failures after a successful sign-in (the
    /// address keeps its count: one success must not reset guessing at
    /// other accounts from there).
    pub fn succeeded(&self, account: &str) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.accounts.remove(&account_key(account));
    }

    /// How many keys are remembered (accounts + addresses).
    pub fn remembered(&self) -> usize {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.accounts.len() + state.addresses.len()
    }

    fn wait(&self, times: &VecDeque<Instant>, now: Instant) -> Option<Duration> {
        let recent: Vec<&Instant> = times
            .iter()
            .filter(|t| now.duration_since(**t) < self.limits.window)
            .collect();
        if recent.len() < self.limits.limit {
            return None;
        }
        let oldest = **recent.first()?;
        Some(
            self.limits
                .window
                .saturating_sub(now.duration_since(oldest)),
        )
    }
}

fn account_key(account: &str) -> String {
    account.trim().to_lowercase()
}

fn record(
    map: &mut HashMap<String, VecDeque<Instant>>,
    key: String,
    now: Instant,
    limits: ThrottleLimits,
) {
    if !map.contains_key(&key) && map.len() >= limits.capacity {
        map.retain(|_, times| {
            times
                .back()
                .is_some_and(|t| now.duration_since(*t) < limits.window)
        });
        if map.len() >= limits.capacity {
            let stalest = map
                .iter()
                .min_by_key(|(_, times)| times.back().copied())
                .map(|(k, _)| k.clone());
            if let Some(stalest) = stalest {
                map.remove(&stalest);
            }
        }
    }
    let times = map.entry(key).or_default();
    times.push_back(now);
    while times.len() > limits.limit {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> LoginThrottle {
        LoginThrottle::new(ThrottleLimits::default())
    }

    #[tokio::test(start_paused = true)]
    async fn five_failures_lock_the_account_until_the_oldest_leaves_the_window() {
        let t = throttle();
        for _ in 0..4 {
            t.failed("Alice", Some("10.0.0.1"));
            tokio::time::advance(Duration::from_secs(10)).await;
        }
        assert!(
            t.check("alice", Some("10.0.0.2")).is_ok(),
            "four failures are allowed"
        );
        t.failed("alice", Some("10.0.0.2"));
        let wait = t.check("ALICE", Some("10.0.0.3")).unwrap_err();
        assert_eq!(
            wait,
            Duration::from_secs(300 - 40),
            "names are compared case-insensitively"
        );
        tokio::time::advance(wait).await;
        assert!(
            t.check("alice", None).is_ok(),
            "free again once the first failure is 5 minutes old"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_address_guessing_many_accounts_is_locked_out() {
        let t = throttle();
        for n in 0..5 {
            t.failed(&format!("user{n}"), Some("10.0.0.9"));
        }
        assert!(t.check("someone-else", Some("10.0.0.9")).is_err());
        assert!(t.check("someone-else", Some("10.0.0.8")).is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn success_clears_the_account_but_not_the_address() {
        let t = throttle();
        for _ in 0..4 {
            t.failed("bob", Some("10.0.0.1"));
        }
        t.succeeded("bob");
        t.failed("bob", Some("10.0.0.1"));
        assert!(t.check("bob", None).is_ok());
        assert!(
            t.check("carol", Some("10.0.0.1")).is_err(),
            "the address has five failures"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn memory_stays_bounded_under_a_flood_of_names() {
        let t = LoginThrottle::new(ThrottleLimits {
            capacity: 100,
            ..ThrottleLimits::default()
        });
        for n in 0..10_000 {
            t.failed(
                &format!("user{n}"),
                Some(&format!("10.0.{}.{}", n / 256, n % 256)),
            );
        }
        assert!(t.remembered() <= 200, "{} keys", t.remembered());
        for _ in 0..5 {
            t.failed("target", None);
        }
        assert!(t.check("target", None).is_err(), "the newest keys are kept");
    }
}
