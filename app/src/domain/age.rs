//! Ages as `kubectl get` prints them: `45s`, `12m`, `5h`, `3d`, `2y`.

/// The short age of something created `seconds` ago; negative ages (clock
/// skew between cluster and dashboard) read as `0s`.
pub fn short_age(seconds: i64) -> String {
    const MINUTE: i64 = 60;
    const HOUR: i64 = 60 * MINUTE;
    const DAY: i64 = 24 * HOUR;
    const YEAR: i64 = 365 * DAY;
    let s = seconds.max(0);
    match s {
        s if s < 2 * MINUTE => format!("{s}s"),
        s if s < 2 * HOUR => format!("{}m", s / MINUTE),
        s if s < 2 * DAY => format!("{}h", s / HOUR),
        s if s < 2 * YEAR => format!("{}d", s / DAY),
        s => format!("{}y", s / YEAR),
    }
}

#[cfg(test)]
mod tests {
    use super::short_age;

    #[test]
    fn ages_read_like_kubectl() {
        assert_eq!(short_age(-5), "0s");
        assert_eq!(short_age(0), "0s");
        assert_eq!(short_age(119), "119s");
        assert_eq!(short_age(120), "2m");
        assert_eq!(short_age(2 * 3600 - 1), "119m");
        assert_eq!(short_age(2 * 3600), "2h");
        assert_eq!(short_age(47 * 3600), "47h");
        assert_eq!(short_age(2 * 86400), "2d");
        assert_eq!(short_age(729 * 86400), "729d");
        assert_eq!(short_age(3 * 365 * 86400), "3y");
    }

    #[test]
    fn ages_never_go_backwards() {
        let mut last = 0;
        for s in (0..5 * 365 * 86400).step_by(977) {
            let text = short_age(s);
            let (n, unit) = text.split_at(text.len() - 1);
            let scale = match unit {
                "s" => 1,
                "m" => 60,
                "h" => 3600,
                "d" => 86400,
                _ => 365 * 86400,
            };
            let lower_bound = n.parse::<i64>().unwrap() * scale;
            assert!(lower_bound <= s && lower_bound >= last, "{s} -> {text}");
            last = lower_bound;
        }
    }
}
