//! Login throttling per account name and per source address, in bounded
//! memory.
//!
//! Each key keeps the times of its most recent attempts (at most `limit`),
//! counted before the password is checked; a success takes its own back.
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

/// An attempt counted by [`LoginThrottle::reserve`].
#[derive(Debug)]
#[must_use = "a successful sign-in hands the attempt back with `succeeded`"]
pub struct Attempt {
    account: String,
    address: Option<String>,
    at: Instant,
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

    /// Counts an attempt for the account and the address before the
    /// password is checked: `Err(wait)` while either is locked out (nothing
    /// counted), else the attempt is counted as a failure until
    /// [`succeeded`](Self::succeeded) takes it back. Checking and counting
    /// happen under one lock, so parallel attempts cannot all pass.
    pub fn reserve(&self, account: &str, address: Option<&str>) -> Result<Attempt, Duration> {
        let now = Instant::now();
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
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
        if let Some(wait) = wait {
            return Err(wait);
        }
        let limits = self.limits;
        record(&mut state.accounts, account.clone(), now, limits);
        if let Some(address) = address {
            record(&mut state.addresses, address.to_owned(), now, limits);
        }
        Ok(Attempt {
            account,
            address: address.map(str::to_owned),
            at: now,
        })
    }

    /// A sign-in worked: forgets the account's failures and takes the
    /// attempt back from the address (which keeps its other failures: one
    /// success must not reset guessing at other accounts from there).
    pub fn succeeded(&self, attempt: Attempt) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.accounts.remove(&attempt.account);
        if let Some(times) = attempt
            .address
            .as_ref()
            .and_then(|a| state.addresses.get_mut(a))
        {
            if let Some(i) = times.iter().rposition(|t| *t == attempt.at) {
                times.remove(i);
            }
        }
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

    /// A failed attempt: reserved and never handed back.
    fn fail(t: &LoginThrottle, account: &str, address: Option<&str>) {
        drop(t.reserve(account, address).expect("not locked out"));
    }

    #[tokio::test(start_paused = true)]
    async fn five_attempts_lock_the_account_until_the_oldest_leaves_the_window() {
        let t = throttle();
        for n in 0..5 {
            fail(&t, "Alice", Some(&format!("10.0.0.{n}")));
            tokio::time::advance(Duration::from_secs(10)).await;
        }
        let wait = t.reserve("ALICE", Some("10.0.0.9")).unwrap_err();
        assert_eq!(
            wait,
            Duration::from_secs(300 - 50),
            "names are compared case-insensitively"
        );
        tokio::time::advance(wait).await;
        assert!(
            t.reserve("alice", None).is_ok(),
            "free again once the first attempt is 5 minutes old"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn attempts_are_counted_before_the_password_is_checked() {
        let t = throttle();
        let held: Vec<Attempt> = (0..5)
            .map(|_| t.reserve("dave", None).expect("within the allowance"))
            .collect();
        assert!(
            t.reserve("dave", None).is_err(),
            "five attempts in flight use the whole allowance"
        );
        drop(held);
    }

    #[tokio::test(start_paused = true)]
    async fn an_address_guessing_many_accounts_is_locked_out() {
        let t = throttle();
        for n in 0..5 {
            fail(&t, &format!("user{n}"), Some("10.0.0.9"));
        }
        assert!(t.reserve("someone-else", Some("10.0.0.9")).is_err());
        assert!(t.reserve("someone-else", Some("10.0.0.8")).is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn success_clears_the_account_and_its_own_attempt_only() {
        let t = throttle();
        for _ in 0..3 {
            fail(&t, "bob", Some("10.0.0.1"));
        }
        let ok = t.reserve("bob", Some("10.0.0.1")).unwrap();
        t.succeeded(ok);
        for _ in 0..4 {
            fail(&t, "bob", None);
        }
        assert!(t.reserve("bob", None).is_ok(), "the account starts afresh");
        fail(&t, "carol", Some("10.0.0.1"));
        assert!(
            t.reserve("erin", Some("10.0.0.1")).is_ok(),
            "the address keeps 3 + 1 failures, not the successful attempt"
        );
        assert!(t.reserve("erin", Some("10.0.0.1")).is_err(), "now five");
    }

    #[tokio::test(start_paused = true)]
    async fn memory_stays_bounded_under_a_flood_of_names() {
        let t = LoginThrottle::new(ThrottleLimits {
            capacity: 100,
            ..ThrottleLimits::default()
        });
        for n in 0..10_000 {
            fail(
                &t,
                &format!("user{n}"),
                Some(&format!("10.0.{}.{}", n / 256, n % 256)),
            );
        }
        assert!(t.remembered() <= 200, "{} keys", t.remembered());
        for _ in 0..5 {
            fail(&t, "target", None);
        }
        assert!(
            t.reserve("target", None).is_err(),
            "the newest keys are kept"
        );
    }
}
