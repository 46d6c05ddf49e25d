//! The signed-in user as the pages see it, and the addresses that lead to
//! and back from the sign-in page.

use leptos::prelude::*;

use crate::api::access::CurrentUser;
use crate::AppError;

/// The signed-in user (`None` when nobody is), loaded once by [`crate::App`]
/// and provided as context.
pub type UserResource = Resource<Result<Option<CurrentUser>, AppError>>;

/// The sign-in page, asked to come back to `here` (a path with its query).
pub fn login_href(here: &str) -> String {
    let next = safe_next(Some(here));
    if next == "/" {
        "/login".to_owned()
    } else {
        format!("/login?next={}", encode_component(&next))
    }
}

/// Where to go after signing in: `next` when it is a path on this site
/// (starts with one `/`, no backslash or control character), else `/`.
/// Anything else could send the person to another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control)
                && !n.starts_with("/login")
                && !n.starts_with("/setup") =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986) and `/`.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Loads `href` as a new page (not a client-side route change), so that
/// every resource starts again with the new session.
pub fn full_navigation(href: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().set_href(href);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = href;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(
            safe_next(Some("/registries?project=a")),
            "/registries?project=a"
        );
        assert_eq!(safe_next(Some("/access")), "/access");
        for bad in [
            "//evil.example/x",
            "https://evil.example",
            "/\\evil.example",
            "evil",
            "",
            "/a\nb",
            "/login?next=/x",
            "/setup",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn login_href_encodes_the_way_back() {
        assert_eq!(login_href("/"), "/login");
        assert_eq!(login_href("/access"), "/login?next=/access");
        assert_eq!(
            login_href("/audit?actor=a b&x=1"),
            "/login?next=/audit%3Factor%3Da%20b%26x%3D1"
        );
        assert_eq!(login_href("//evil.example"), "/login");
    }
}
