use super::*;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn cidr(s: &str) -> Cidr {
    s.parse().unwrap()
}

fn trusting(ranges: &[&str]) -> TrustedProxies {
    TrustedProxies::new(ranges.iter().map(|r| cidr(r)))
}

#[test]
fn ipv4_ranges_match_by_prefix() {
    let range = cidr("10.1.0.0/16");
    assert!(range.contains(ip("10.1.0.0")));
    assert!(range.contains(ip("10.1.255.254")));
    assert!(!range.contains(ip("10.2.0.1")));
    assert!(!range.contains(ip("11.1.0.1")));
    assert!(cidr("192.0.2.7").contains(ip("192.0.2.7")));
    assert!(!cidr("192.0.2.7").contains(ip("192.0.2.8")));
    assert!(cidr("0.0.0.0/0").contains(ip("203.0.113.9")));
    assert!(cidr("172.16.0.0/12").contains(ip("172.31.1.1")));
    assert!(!cidr("172.16.0.0/12").contains(ip("172.32.0.1")));
}

#[test]
fn ipv6_ranges_match_by_prefix_and_never_match_ipv4() {
    let range = cidr("fd00:1234::/32");
    assert!(range.contains(ip("fd00:1234::1")));
    assert!(range.contains(ip("fd00:1234:ffff::1")));
    assert!(!range.contains(ip("fd00:1235::1")));
    assert!(cidr("::1").contains(ip("::1")));
    assert!(!cidr("::1").contains(ip("::2")));
    assert!(cidr("::/0").contains(ip("2001:db8::1")));
    assert!(!cidr("::/0").contains(ip("10.0.0.1")));
    assert!(!cidr("0.0.0.0/0").contains(ip("2001:db8::1")));
}

#[test]
fn an_ipv4_mapped_ipv6_address_counts_as_its_ipv4_address() {
    assert!(cidr("127.0.0.0/8").contains(ip("::ffff:127.0.0.1")));
    let proxies = trusting(&["127.0.0.1"]);
    assert_eq!(
        proxies.client_ip(ip("::ffff:127.0.0.1"), ["203.0.113.9"]),
        ip("203.0.113.9")
    );
}

#[test]
fn values_that_are_not_ranges_are_refused_with_an_example() {
    for bad in [
        "",
        "proxy.local",
        "10.0.0.0/33",
        "::/129",
        "10.0.0.0/x",
        "10.0.0/8",
    ] {
        let e = bad.parse::<Cidr>().unwrap_err().to_string();
        assert!(e.contains("10.0.0.0/8"), "{bad}: {e}");
    }
    assert_eq!(cidr(" 10.0.0.0/8 ").to_string(), "10.0.0.0/8");
    assert_eq!(cidr("::1").to_string(), "::1/128");
}

#[test]
fn without_trusted_proxies_the_header_is_ignored() {
    let none = TrustedProxies::default();
    assert_eq!(
        none.client_ip(ip("127.0.0.1"), ["203.0.113.9"]),
        ip("127.0.0.1")
    );
}

#[test]
fn a_peer_that_is_not_trusted_is_the_client_whatever_it_forwards() {
    let proxies = trusting(&["10.0.0.0/8"]);
    assert_eq!(
        proxies.client_ip(ip("198.51.100.4"), ["203.0.113.9"]),
        ip("198.51.100.4")
    );
}

#[test]
fn behind_a_trusted_proxy_the_right_most_untrusted_entry_is_the_client() {
    let proxies = trusting(&["10.0.0.0/8", "fd00::/8"]);
    let peer = ip("10.0.0.2");
    assert_eq!(proxies.client_ip(peer, ["203.0.113.9"]), ip("203.0.113.9"));
    // Two proxies: the inner one appended the outer one's address.
    assert_eq!(
        proxies.client_ip(peer, ["203.0.113.9, 10.0.0.7"]),
        ip("203.0.113.9")
    );
    assert_eq!(
        proxies.client_ip(ip("fd00::2"), ["2001:db8::5, fd00::9"]),
        ip("2001:db8::5")
    );
    // Several headers are one list, in order.
    assert_eq!(
        proxies.client_ip(peer, ["203.0.113.9", "10.0.0.7"]),
        ip("203.0.113.9")
    );
}

#[test]
fn spoofed_left_most_entries_do_not_change_the_client() {
    let proxies = trusting(&["10.0.0.0/8"]);
    let peer = ip("10.0.0.2");
    for spoofed in [
        "198.51.100.1, 203.0.113.9",
        "10.0.0.99, 203.0.113.9",
        "not an address, 203.0.113.9",
        "1.2.3.4, 5.6.7.8, 203.0.113.9, 10.0.0.7",
    ] {
        assert_eq!(
            proxies.client_ip(peer, [spoofed]),
            ip("203.0.113.9"),
            "{spoofed}"
        );
    }
}

#[test]
fn entries_with_ports_are_read_and_garbage_stops_the_walk() {
    let proxies = trusting(&["10.0.0.0/8"]);
    let peer = ip("10.0.0.2");
    assert_eq!(
        proxies.client_ip(peer, ["203.0.113.9:4711"]),
        ip("203.0.113.9")
    );
    assert_eq!(
        proxies.client_ip(peer, ["[2001:db8::5]:4711"]),
        ip("2001:db8::5")
    );
    // Nothing readable: the proxy itself is the client.
    assert_eq!(proxies.client_ip(peer, ["unknown"]), peer);
    assert_eq!(proxies.client_ip(peer, std::iter::empty()), peer);
    // Garbage right of a proxy: the last address read.
    assert_eq!(
        proxies.client_ip(peer, ["203.0.113.9, garbage, 10.0.0.7"]),
        ip("10.0.0.7")
    );
}

#[test]
fn when_every_entry_is_a_trusted_proxy_the_left_most_is_the_client() {
    let proxies = trusting(&["10.0.0.0/8"]);
    assert_eq!(
        proxies.client_ip(ip("10.0.0.2"), ["10.0.0.5, 10.0.0.7"]),
        ip("10.0.0.5")
    );
}
