//! The pacer's rules: grow at a stable round trip, cut on 429 and on rising
//! round trips, once per epoch, always within bounds.

use std::time::Duration;

use super::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// One window of successes at `rtt`, each started now.
fn window(pacer: &mut Pacer, rtt: Duration) {
    for _ in 0..pacer.limit() {
        let ticket = pacer.ticket();
        pacer.on_success(ticket, rtt);
    }
}

#[test]
fn grows_at_a_stable_round_trip_up_to_max() {
    let mut pacer = Pacer::new(Bounds::new(4, 16, 64));
    window(&mut pacer, ms(5));
    assert_eq!(pacer.limit(), 32, "slow start doubles");
    window(&mut pacer, ms(5));
    assert_eq!(pacer.limit(), 64);
    for _ in 0..10 {
        window(&mut pacer, ms(5));
    }
    assert_eq!(pacer.limit(), 64, "never above max");
    assert_eq!(pacer.base_rtt(), Some(ms(5)));
}

#[test]
fn a_single_slow_answer_in_a_fast_window_is_noise() {
    let mut pacer = Pacer::new(Bounds::new(4, 16, 64));
    window(&mut pacer, ms(5));
    for i in 0..pacer.limit() {
        let ticket = pacer.ticket();
        pacer.on_success(ticket, if i == 0 { ms(500) } else { ms(5) });
    }
    assert_eq!(pacer.limit(), 64);
}

#[test]
fn rising_round_trips_cut_the_limit_then_growth_is_additive() {
    let mut pacer = Pacer::new(Bounds::new(4, 16, 64));
    window(&mut pacer, ms(5));
    window(&mut pacer, ms(5));
    assert_eq!(pacer.limit(), 64);
    window(&mut pacer, ms(40));
    assert_eq!(pacer.limit(), 48, "cut by RTT_CUT");
    window(&mut pacer, ms(5));
    assert_eq!(pacer.limit(), 49, "after a cut, +1 per window");
}

#[test]
fn round_trips_within_tolerance_still_grow() {
    let mut pacer = Pacer::new(Bounds::new(4, 8, 64));
    window(&mut pacer, ms(10));
    // 2 × 10 ms + 1 ms of slack.
    window(&mut pacer, ms(21));
    assert_eq!(pacer.limit(), 32);
    window(&mut pacer, ms(22));
    assert_eq!(pacer.limit(), 24);
}

#[test]
fn a_429_halves_the_limit_once_per_epoch() {
    let mut pacer = Pacer::new(Bounds::new(4, 16, 64));
    window(&mut pacer, ms(5));
    window(&mut pacer, ms(5));
    assert_eq!(pacer.limit(), 64);
    // A burst of writes started together, all refused.
    let tickets: Vec<Ticket> = (0..64).map(|_| pacer.ticket()).collect();
    for ticket in tickets {
        pacer.on_throttled(ticket);
    }
    assert_eq!(pacer.limit(), 32, "one cut for the whole burst");
    let ticket = pacer.ticket();
    pacer.on_throttled(ticket);
    assert_eq!(
        pacer.limit(),
        16,
        "a write started after the cut cuts again"
    );
}

#[test]
fn answers_to_writes_started_before_a_cut_do_not_count_in_the_new_window() {
    let mut pacer = Pacer::new(Bounds::new(4, 16, 64));
    let old: Vec<Ticket> = (0..16).map(|_| pacer.ticket()).collect();
    let ticket = pacer.ticket();
    pacer.on_throttled(ticket);
    assert_eq!(pacer.limit(), 8);
    for ticket in old {
        pacer.on_success(ticket, ms(5));
    }
    assert_eq!(pacer.limit(), 8, "no window ended on stale answers");
}

#[test]
fn never_below_min_never_above_max() {
    let mut pacer = Pacer::new(Bounds::new(4, 16, 20));
    for _ in 0..10 {
        let ticket = pacer.ticket();
        pacer.on_throttled(ticket);
    }
    assert_eq!(pacer.limit(), 4);
    for _ in 0..20 {
        window(&mut pacer, ms(1));
    }
    assert_eq!(pacer.limit(), 20);
}

#[test]
fn bounds_are_made_coherent() {
    assert_eq!(Bounds::new(0, 100, 64), Bounds::new(1, 64, 64));
    assert_eq!(Bounds::new(8, 2, 4).min, 8);
    assert_eq!(Bounds::new(8, 2, 4).max, 8);
    let fixed = Pacer::new(Bounds::fixed(16));
    assert_eq!(fixed.limit(), 16);
}

#[test]
fn the_base_is_relearnt_when_it_rises_for_good() {
    let mut pacer = Pacer::new(Bounds::new(4, 4, 4));
    for _ in 0..BASE_BUCKET {
        pacer.on_success(pacer.ticket(), ms(1));
    }
    for _ in 0..2 * BASE_BUCKET {
        pacer.on_success(pacer.ticket(), ms(30));
    }
    assert_eq!(pacer.base_rtt(), Some(ms(30)));
}
