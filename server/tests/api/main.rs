//! One integration-test binary for the server crate; each test gets a fresh
//! SQLite file and its own server on a random port.

mod abuse;
mod attach;
mod audit;
mod authz;
mod binary;
mod canary;
mod cluster;
mod collisions;
mod crash;
mod credcheck;
mod credcheck_canary;
mod delegation;
mod faults;
mod health;
mod helpers;
mod http_cache;
mod limits;
mod logs;
mod metrics;
mod namespaces;
mod ownership;
mod process;
mod projects;
mod rbac;
mod reads;
mod registries;
mod registry_harness;
mod registry_helpers;
mod security;
mod sessions;
mod shell;
mod throttling;
mod workloads;
