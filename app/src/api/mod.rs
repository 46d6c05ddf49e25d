//! Server functions and the wire types they exchange with the browser.
//!
//! Each function is thin: it checks who is calling ([`authz`], after the
//! HTTP layer applied [`policy`]), reaches a service through context, and
//! maps the outcome into [`crate::AppError`]. Wire types are plain data.

pub mod access;
pub mod audit;
#[cfg(feature = "ssr")]
pub mod authz;
pub mod cluster;
pub mod policy;
pub mod projects;
pub mod registries;
