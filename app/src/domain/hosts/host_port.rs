//! Validation of a self-hosted registry's `host[:port]`.

use super::HostError;

/// Validates `host[:port]` (DNS name or IPv4, optional port 1–65535,
/// optionally preceded by `https://`) and returns it lowercased without the
/// scheme and without a trailing '/'.
pub fn validate_host_port(input: &str) -> Result<String, HostError> {
    let trimmed = input.trim();
    let rest = match trimmed.find("://") {
        Some(i) if trimmed[..i].eq_ignore_ascii_case("https") => &trimmed[i + 3..],
        Some(i) => {
            return Err(HostError::Scheme {
                scheme: trimmed[..i].to_owned(),
            })
        }
        None => trimmed,
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.is_empty() {
        return Err(HostError::Empty);
    }
    if rest.chars().any(char::is_whitespace) {
        return Err(HostError::Space);
    }
    if let Some(i) = rest.find('/') {
        return Err(HostError::Path {
            path: rest[i..].to_owned(),
        });
    }
    let (host, port) = match rest.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    if let Some((i, ch)) = host
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.')))
    {
        return Err(HostError::InvalidChar {
            ch,
            position: i + 1,
        });
    }
    if let Some(port) = port {
        let valid = !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && matches!(port.parse::<u32>(), Ok(1..=65535));
        if !valid {
            return Err(HostError::BadPort {
                port: port.to_owned(),
            });
        }
    }
    validate_host(host)?;
    Ok(rest.to_ascii_lowercase())
}

fn validate_host(host: &str) -> Result<(), HostError> {
    if host.is_empty() {
        return Err(HostError::Empty);
    }
    // Characters were checked by the caller.
    if host.len() > 253 {
        return Err(HostError::HostTooLong { len: host.len() });
    }
    let labels: Vec<&str> = host.split('.').collect();
    // Top-level domains are never numeric: such a host must be an IPv4 address.
    let last = labels[labels.len() - 1];
    if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
        let ok = labels.len() == 4
            && labels
                .iter()
                .all(|l| !l.is_empty() && l.len() <= 3 && l.parse::<u8>().is_ok());
        return if ok {
            Ok(())
        } else {
            Err(HostError::BadIpv4 {
                host: host.to_owned(),
            })
        };
    }
    let label_ok =
        |l: &&str| !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-');
    if labels.iter().all(label_ok) {
        Ok(())
    } else {
        Err(HostError::BadHost {
            host: host.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn custom(h: &str) -> Result<String, HostError> {
        validate_host_port(h)
    }

    #[test]
    fn self_hosted_errors_are_specific() {
        assert_eq!(custom("  "), Err(HostError::Empty));
        assert_eq!(custom("https://"), Err(HostError::Empty));
        assert_eq!(
            custom("http://r.io").unwrap_err().to_string(),
            "Only 'https://' may precede the host; remove 'http://'."
        );
        assert!(matches!(
            custom("oci://r.io"),
            Err(HostError::Scheme { .. })
        ));
        assert_eq!(
            custom("r.io/team").unwrap_err().to_string(),
            "Enter only the host and optional port, without a path ('/team')."
        );
        assert_eq!(custom("r .io"), Err(HostError::Space));
        assert_eq!(
            custom("r_x.io"),
            Err(HostError::InvalidChar {
                ch: '_',
                position: 2
            })
        );
        assert!(matches!(custom("-r.io"), Err(HostError::BadHost { .. })));
        assert!(matches!(custom("r..io"), Err(HostError::BadHost { .. })));
        assert!(matches!(
            custom(&format!("{}.io", "a".repeat(64))),
            Err(HostError::BadHost { .. })
        ));
        assert!(matches!(
            custom("256.1.1.1"),
            Err(HostError::BadIpv4 { .. })
        ));
        assert!(matches!(custom("1.2.3"), Err(HostError::BadIpv4 { .. })));
        assert!(matches!(custom("reg.123"), Err(HostError::BadIpv4 { .. })));
        assert!(matches!(
            custom("1.2.3.4.5"),
            Err(HostError::BadIpv4 { .. })
        ));
        for port in ["0", "65536", "", "x", "99999999999", "+80"] {
            assert_eq!(
                custom(&format!("r.io:{port}")),
                Err(HostError::BadPort { port: port.into() })
            );
        }
        assert!(matches!(
            custom("r.io:80:90"),
            Err(HostError::BadPort { .. })
        ));
        assert!(matches!(
            custom("[::1]:5000"),
            Err(HostError::InvalidChar { ch: '[', .. })
        ));
    }

    proptest! {
        #[test]
        fn valid_hosts_survive_their_own_validation(s in "(https://)?[a-z]([a-z0-9-]{0,8}[a-z0-9])?(\\.[a-z][a-z0-9]{0,5}){0,3}(:[1-9][0-9]{0,3})?") {
            let server = validate_host_port(&s).unwrap();
            prop_assert_eq!(validate_host_port(&server), Ok(server.clone()));
            prop_assert!(super::super::same_registry(&server, &s));
        }

        #[test]
        fn never_panics(s in any::<String>()) {
            let _ = validate_host_port(&s);
        }
    }
}
