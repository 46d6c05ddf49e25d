//! The request context a server function runs in (server side only): who is
//! calling, from where, and the request's session extensions.
//!
//! The server's HTTP layers put the signed-in [`Principal`] and the session
//! into the request's extensions and the request id into its headers; this
//! module reads them back from the `http::request::Parts` that leptos_axum
//! provides as context.

/// The signed-in user of a request, as the server's session layer found it
/// (and put into the request's extensions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user's id.
    pub id: i64,
    /// The user's name.
    pub name: String,
    /// Global admin.
    pub admin: bool,
}

/// The client's address as the server's middleware chose it: the TCP peer,
/// or what a trusted proxy forwarded. Read instead of the peer when present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub std::net::IpAddr);

/// The extensions of the current request, where the server's session layer
/// keeps the session; only the access service looks inside.
#[derive(Clone, Default)]
pub struct RequestSession(pub http::Extensions);

/// Who is calling a server function and from where, for authorization and
/// the audit log. Built from the request the server function serves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caller {
    /// The signed-in user, if any.
    pub user: Option<Principal>,
    /// The request id set by the server's middleware.
    pub request_id: Option<String>,
    /// The client address ([`ClientAddr`], else the TCP peer); untrusted
    /// for identity.
    pub source_addr: Option<String>,
    /// The `User-Agent` header (untrusted; store escaped).
    pub user_agent: Option<String>,
}

/// The caller of the current server function (empty outside a request).
pub fn caller() -> Caller {
    leptos::prelude::use_context::<http::request::Parts>()
        .map(|parts| Caller::from_parts(&parts))
        .unwrap_or_default()
}

/// The session extensions of the current request (empty outside a request).
pub fn request_session() -> RequestSession {
    RequestSession(
        leptos::prelude::use_context::<http::request::Parts>()
            .map(|p| p.extensions)
            .unwrap_or_default(),
    )
}

impl Caller {
    /// Reads the signed-in user, request id header, user agent and client
    /// address from `parts` (of a server function or a plain handler).
    pub fn from_parts(parts: &http::request::Parts) -> Caller {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Caller {
            user: parts.extensions.get::<Principal>().cloned(),
            request_id: header("x-request-id"),
            source_addr: client_addr(&parts.extensions).map(|ip| ip.to_string()),
            user_agent: header("user-agent"),
        }
    }
}

/// The [`ClientAddr`] in `extensions`, else the TCP peer's address.
fn client_addr(extensions: &http::Extensions) -> Option<std::net::IpAddr> {
    extensions.get::<ClientAddr>().map(|c| c.0).or_else(|| {
        extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip())
    })
}
