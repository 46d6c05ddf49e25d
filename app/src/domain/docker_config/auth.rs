//! The `auth` field: base64 of `username:password`, decoded like kubelet
//! does (standard alphabet, padded, line breaks ignored, split at the first
//! ':').

use base64::alphabet::STANDARD as STANDARD_ALPHABET;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use zeroize::{Zeroize, Zeroizing};

use super::{AuthEntry, ConfigError};
use crate::domain::secret::Password;

/// Go's `base64.StdEncoding`: padding required, non-zero trailing bits
/// tolerated.
const GO_STD: GeneralPurpose = GeneralPurpose::new(
    &STANDARD_ALPHABET,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// `base64("username:password")`, standard alphabet, padded.
pub fn encode_auth(username: &str, password: &Password) -> String {
    let plain = Zeroizing::new(format!("{username}:{}", password.expose()));
    STANDARD.encode(plain.as_bytes())
}

/// Decodes an `auth` value into username and password; `host` only names the
/// entry in errors.
pub fn decode_auth(host: &str, auth: &str) -> Result<(String, Password), ConfigError> {
    let compact = Zeroizing::new(auth.replace(['\r', '\n'], ""));
    let bytes = GO_STD
        .decode(compact.as_bytes())
        .map_err(|_| ConfigError::AuthNotBase64 {
            host: host.to_owned(),
        })?;
    let text = Zeroizing::new(String::from_utf8(bytes).map_err(|e| {
        e.into_bytes().zeroize();
        ConfigError::AuthNotUtf8 {
            host: host.to_owned(),
        }
    })?);
    let (username, password) =
        text.split_once(':')
            .ok_or_else(|| ConfigError::AuthWithoutColon {
                host: host.to_owned(),
            })?;
    Ok((username.to_owned(), Password::new(password)))
}

impl AuthEntry {
    /// An entry as `kubectl create secret docker-registry` writes it:
    /// username, password, email (each omitted when empty) and `auth`.
    pub fn new(username: &str, password: &Password, email: Option<&str>) -> AuthEntry {
        AuthEntry {
            username: Some(username.to_owned()).filter(|u| !u.is_empty()),
            password: Some(password.clone()).filter(|p| !p.is_empty()),
            email: email.filter(|e| !e.is_empty()).map(str::to_owned),
            auth: Some(encode_auth(username, password)),
            extra: Default::default(),
        }
    }

    /// The credentials kubelet would use: a non-empty `auth` wins (and
    /// `None` is returned if it does not decode); otherwise `password` with
    /// `username` (empty when absent). `None` when there is no password, e.g.
    /// for entries holding only an `identitytoken`.
    pub fn username_password(&self) -> Option<(String, Password)> {
        match self.auth.as_deref() {
            Some(auth) if !auth.is_empty() => decode_auth("", auth).ok(),
            _ => {
                let password = self.password.clone()?;
                Some((self.username.clone().unwrap_or_default(), password))
            }
        }
    }

    /// The username kubelet would use, even for entries without a password.
    pub fn effective_username(&self) -> Option<String> {
        match self.username_password() {
            Some((username, _)) => Some(username),
            None => self.username.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_kubectl() {
        // From `kubectl create secret docker-registry --docker-username=u
        // --docker-password='p:a"ss'`.
        assert_eq!(encode_auth("u", &Password::new("p:a\"ss")), "dTpwOmEic3M=");
        assert_eq!(encode_auth("u", &Password::new("p")), "dTpw");
    }

    #[test]
    fn decodes_at_the_first_colon() {
        let (u, p) = decode_auth("h", "dTpwOmEic3M=").unwrap();
        assert_eq!((u.as_str(), p.expose()), ("u", "p:a\"ss"));
        let (u, p) = decode_auth("h", "dTpw\r\n").unwrap();
        assert_eq!((u.as_str(), p.expose()), ("u", "p"));
        let (u, p) = decode_auth("h", &STANDARD.encode(":")).unwrap();
        assert_eq!((u.as_str(), p.expose()), ("", ""));
    }

    #[test]
    fn decode_errors_name_the_host_only() {
        assert_eq!(
            decode_auth("ghcr.io", "not base64!"),
            Err(ConfigError::AuthNotBase64 {
                host: "ghcr.io".into()
            })
        );
        // Unpadded is refused, like Go's StdEncoding.
        assert!(matches!(
            decode_auth("h", "dTpwOmEic3M"),
            Err(ConfigError::AuthNotBase64 { .. })
        ));
        assert!(matches!(
            decode_auth("h", &STANDARD.encode([0xff, b':', 0xfe])),
            Err(ConfigError::AuthNotUtf8 { .. })
        ));
        let err = decode_auth("h", &STANDARD.encode("secretpassword")).unwrap_err();
        assert_eq!(err, ConfigError::AuthWithoutColon { host: "h".into() });
        assert!(!err.to_string().contains("secretpassword"));
    }

    #[test]
    fn auth_wins_over_fields() {
        let mut e = AuthEntry::new("u", &Password::new("p"), None);
        e.username = Some("other".into());
        e.password = Some(Password::new("other"));
        let (u, p) = e.username_password().unwrap();
        assert_eq!((u.as_str(), p.expose()), ("u", "p"));
        e.auth = Some(String::new());
        let (u, p) = e.username_password().unwrap();
        assert_eq!((u.as_str(), p.expose()), ("other", "other"));
        e.auth = Some("!!".into());
        assert_eq!(e.username_password(), None);
        let token_only = AuthEntry {
            username: Some("<token>".into()),
            ..AuthEntry::default()
        };
        assert_eq!(token_only.username_password(), None);
        assert_eq!(token_only.effective_username().as_deref(), Some("<token>"));
    }

    #[test]
    fn new_omits_empty_fields_like_kubectl() {
        let e = AuthEntry::new("", &Password::new(""), Some(""));
        assert_eq!(e.username, None);
        assert_eq!(e.password, None);
        assert_eq!(e.email, None);
        assert_eq!(e.auth.as_deref(), Some("Og=="));
    }
}
