//! What a failed HTTP request to a registry means, shared by the reach
//! probe of a diagnosis (`workloads/probe.rs`) and the credential test.

use regboard_app::domain::credential::Unreachable;

/// The innermost cause ("Connection refused", "failed to lookup address
/// information"), or that no answer came within `timeout`.
pub fn describe(e: &reqwest::Error, timeout: std::time::Duration) -> String {
    if is_timeout(e) {
        return format!("no answer within {} seconds", timeout.as_secs());
    }
    let text = innermost(e).to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// Which way the request failed: DNS, TLS, refused, timeout or other.
pub fn classify(e: &reqwest::Error) -> Unreachable {
    if is_timeout(e) {
        return Unreachable::Timeout;
    }
    let mut chain = String::new();
    let mut current: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = current {
        for io in io_errors(err) {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return Unreachable::Refused,
                std::io::ErrorKind::TimedOut => return Unreachable::Timeout,
                // While connecting, only the TLS layer finds data invalid
                // (rustls: "received corrupt message", a bad certificate).
                std::io::ErrorKind::InvalidData if e.is_connect() => return Unreachable::Tls,
                _ => {}
            }
        }
        chain.push_str(&err.to_string().to_ascii_lowercase());
        chain.push('\n');
        current = err.source();
    }
    if [
        "dns error",
        "lookup address",
        "name or service not known",
        "no such host",
    ]
    .iter()
    .any(|w| chain.contains(w))
    {
        Unreachable::Dns
    } else if ["certificate", "tls", "handshake", "ssl"]
        .iter()
        .any(|w| chain.contains(w))
    {
        Unreachable::Tls
    } else if chain.contains("connection refused") {
        Unreachable::Refused
    } else {
        Unreachable::Network
    }
}

/// `err` and the I/O errors it wraps (`io::Error::source` skips the
/// wrapped error itself, so its kind would be lost).
fn io_errors<'a>(err: &'a (dyn std::error::Error + 'static)) -> Vec<&'a std::io::Error> {
    let mut out = Vec::new();
    let mut next = err.downcast_ref::<std::io::Error>();
    while let Some(io) = next {
        out.push(io);
        next = io
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<std::io::Error>());
    }
    out
}

fn is_timeout(e: &reqwest::Error) -> bool {
    if e.is_timeout() {
        return true;
    }
    let mut current: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = current {
        if io_errors(err)
            .iter()
            .any(|io| io.kind() == std::io::ErrorKind::TimedOut)
        {
            return true;
        }
        current = err.source();
    }
    false
}

fn innermost(e: &reqwest::Error) -> &dyn std::error::Error {
    let mut current: &dyn std::error::Error = e;
    while let Some(next) = current.source() {
        current = next;
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    async fn error_of(url: &str, timeout: Duration) -> reqwest::Error {
        let client = reqwest::Client::builder().timeout(timeout).build().unwrap();
        client.get(url).send().await.unwrap_err()
    }

    #[tokio::test]
    async fn a_closed_port_is_refused() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/v2/", closed.local_addr().unwrap());
        drop(closed);
        let e = error_of(&url, Duration::from_secs(3)).await;
        assert_eq!(classify(&e), Unreachable::Refused, "{e:?}");
        assert!(describe(&e, Duration::from_secs(3))
            .to_lowercase()
            .contains("refused"));
    }

    #[tokio::test]
    async fn a_silent_listener_times_out() {
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/v2/", silent.local_addr().unwrap());
        let e = error_of(&url, Duration::from_millis(300)).await;
        assert_eq!(classify(&e), Unreachable::Timeout, "{e:?}");
        drop(silent);
    }

    #[tokio::test]
    async fn an_unknown_name_is_dns() {
        let e = error_of("https://no-such-host.invalid/v2/", Duration::from_secs(3)).await;
        assert_eq!(classify(&e), Unreachable::Dns, "{e:?}");
    }

    #[tokio::test]
    async fn plain_http_spoken_to_as_tls_is_tls() {
        // A listener that answers HTTP/1.1 text to a TLS hello.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 512];
            let _ = s.read(&mut buf).await;
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
        });
        let e = error_of(&format!("https://{addr}/v2/"), Duration::from_secs(3)).await;
        assert_eq!(classify(&e), Unreachable::Tls, "{e:?}");
    }
}
