//! The time sessions and throttling are measured against.
//!
//! Wall-clock milliseconds derived from tokio's clock: the wall time at
//! start plus the time tokio says has passed since. In production the two
//! agree; in tests tokio's paused clock moves sessions through their idle
//! and absolute limits without waiting.

use std::time::{SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

/// A clock that reads wall time in milliseconds through tokio's clock.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    wall_ms_at_start: i64,
    start: Instant,
}

impl Clock {
    /// A clock starting now.
    pub fn new() -> Self {
        let wall_ms_at_start = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        Self {
            wall_ms_at_start,
            start: Instant::now(),
        }
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        let elapsed = i64::try_from(self.start.elapsed().as_millis()).unwrap_or(i64::MAX);
        self.wall_ms_at_start.saturating_add(elapsed)
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn follows_tokios_paused_clock() {
        let clock = Clock::new();
        let t0 = clock.now_ms();
        tokio::time::advance(std::time::Duration::from_secs(3600)).await;
        assert_eq!(clock.now_ms() - t0, 3_600_000);
    }
}
