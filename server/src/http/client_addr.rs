//! Who the client of a request is, for the login throttle and the audit
//! log: the TCP peer, unless that peer is a configured trusted proxy.
//!
//! ```text
//! peer (ConnectInfo) ─► trusted proxy? ── no ──► client = peer (X-Forwarded-For ignored)
//!                              │ yes
//!                              ▼
//!   X-Forwarded-For, read right to left: skip trusted proxies;
//!   the first address that is not one is the client
//!                              ▼
//!                   ClientAddr in the request's extensions
//! ```
//!
//! Only the right-most entries can be believed: each trusted proxy appends
//! the address it saw, while everything to the left of the first untrusted
//! address was written by the client and may be anything. With no trusted
//! proxy configured, `X-Forwarded-For` is never read.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use regboard_app::context::ClientAddr;

/// The header proxies append the address they saw to.
const FORWARDED_FOR: &str = "x-forwarded-for";

/// An IP address or a CIDR range (`10.0.0.0/8`, `fd00::/8`, `192.0.2.7`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

/// Why a `--trusted-proxy` value was refused.
#[derive(Debug, thiserror::Error)]
#[error("'{0}' is not an IP address or a CIDR range such as 10.0.0.0/8 or fd00::/8")]
pub struct BadCidr(String);

impl FromStr for Cidr {
    type Err = BadCidr;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadCidr(s.to_owned());
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (s.trim(), None),
        };
        let network = IpAddr::from_str(addr).map_err(|_| bad())?.to_canonical();
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
        };
        Ok(Cidr { network, prefix })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

impl Cidr {
    /// Whether `ip` lies in this range (an IPv4-mapped IPv6 address counts
    /// as the IPv4 address it maps).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                same_prefix(u32::from(net).into(), u32::from(ip).into(), self.prefix, 32)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                same_prefix(u128::from(net), u128::from(ip), self.prefix, 128)
            }
            _ => false,
        }
    }
}

/// Whether the first `prefix` of the `bits` low bits of `a` and `b` agree.
fn same_prefix(a: u128, b: u128, prefix: u8, bits: u32) -> bool {
    let host_bits = bits - u32::from(prefix);
    (a ^ b).checked_shr(host_bits).unwrap_or(0) == 0
}

/// The proxies whose `X-Forwarded-For` is believed (`--trusted-proxy`);
/// empty by default, which means the header is ignored.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<[Cidr]>);

impl TrustedProxies {
    /// Trusts the proxies in `ranges`.
    pub fn new(ranges: impl IntoIterator<Item = Cidr>) -> Self {
        Self(ranges.into_iter().collect())
    }

    /// Whether no proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `ip` is a trusted proxy.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|range| range.contains(ip))
    }

    /// The client of a request that came from `peer` with the
    /// `X-Forwarded-For` values `forwarded` (every header, in order): `peer`
    /// unless it is trusted; then the right-most forwarded address that is
    /// not itself a trusted proxy. An entry that is not an address stops the
    /// walk at the last address read; when every entry is a trusted proxy,
    /// the left-most one is the client.
    pub fn client_ip<'a>(
        &self,
        peer: IpAddr,
        forwarded: impl IntoIterator<Item = &'a str>,
    ) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let entries: Vec<&str> = forwarded.into_iter().flat_map(|v| v.split(',')).collect();
        let mut client = peer;
        for entry in entries.iter().rev() {
            let Some(ip) = parse_entry(entry) else {
                break;
            };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

/// One `X-Forwarded-For` entry: an address, optionally with a port
/// (`192.0.2.1:4711`, `[2001:db8::1]:4711`).
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    let ip = IpAddr::from_str(entry)
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))?;
    Some(ip.to_canonical())
}

/// The middleware: puts the request's [`ClientAddr`] into its extensions
/// (nothing when the server was started without connection info).
pub async fn middleware(
    State(trusted): State<TrustedProxies>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(peer) = peer {
        let client = trusted.client_ip(peer, forwarded_for(req.headers()));
        req.extensions_mut().insert(ClientAddr(client));
    }
    next.run(req).await
}

/// Every `X-Forwarded-For` value of `headers`, in order (unreadable ones as
/// a non-address, which stops the walk).
fn forwarded_for(headers: &HeaderMap) -> Vec<&str> {
    headers
        .get_all(FORWARDED_FOR)
        .iter()
        .map(|v| v.to_str().unwrap_or("?"))
        .collect()
}

#[cfg(test)]
#[path = "client_addr_tests.rs"]
mod tests;
