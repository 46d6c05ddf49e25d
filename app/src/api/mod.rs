//! Server functions, one module per concern.
//!
//! Each function is thin: [`call`] finds the caller and applies the
//! fine-grained rule of [`authz`] (after the HTTP layer applied
//! [`policy`]), the body reaches one service through context, and `call`
//! gives the outcome its HTTP status. Each module re-exports the wire types
//! of [`crate::model`] its functions exchange.

pub mod access;
pub mod audit;
#[cfg(feature = "ssr")]
pub mod authz;
#[cfg(feature = "ssr")]
pub mod call;
pub mod changes;
pub mod cluster;
pub mod imports;
pub mod policy;
pub mod projects;
pub mod pull_secrets;
pub mod registries;
pub mod workloads;
