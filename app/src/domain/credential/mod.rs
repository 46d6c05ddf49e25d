//! The credential test, pure: reading a registry's `WWW-Authenticate`
//! challenge, and what a test concluded. The server (`server/src/credcheck`)
//! does the HTTP; this module decides what the answers mean.
//!
//! ```text
//! GET /v2/ ─► 401 + WWW-Authenticate ─► challenge::plan
//!    ├─ Basic            ─► GET /v2/ with the credential
//!    └─ Bearer realm=…   ─► GET realm?service=…&scope=… with the credential
//!                            ─► GET /v2/ with the token
//! every answer / transport error ─► verdict::Verdict (accepted, rejected,
//!                                   unreachable with its cause, unexpected)
//! ```

pub mod challenge;
pub mod expiry;
pub mod verdict;

pub use challenge::{parse_challenges, plan, AuthPlan, Challenge};
pub use verdict::{registry_error_text, Unreachable, Verdict};
