//! The wire types: plain data that server functions exchange with the
//! browser and that the service traits ([`crate::services`]) speak.
//!
//! They depend on nothing but [`crate::domain`], so the server functions
//! (`api`), the services and the pages (`ui`) can all use them without a
//! cycle.

pub mod access;
pub mod audit;
pub mod changes;
pub mod cluster;
pub mod credentials;
pub mod export;
pub mod imports;
pub mod projects;
pub mod registries;
pub mod unmanaged;
pub mod workloads;
