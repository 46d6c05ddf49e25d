//! One integration-test binary for the server crate; each test gets a fresh
//! SQLite file and its own server on a random port.

mod binary;
mod cluster;
mod health;
mod helpers;
mod namespaces;
mod shell;
