//! Server functions and the wire types they exchange with the browser.
//!
//! Each function is thin: it reaches a service through context, and maps the
//! outcome into [`crate::AppError`]. Wire types are plain data.

pub mod audit;
pub mod cluster;
pub mod projects;
pub mod registries;
