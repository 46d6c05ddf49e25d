//! Pure domain logic: no IO, compiled for the server and the browser.

pub mod access;
pub mod age;
pub mod attachment;
pub mod credential;
pub mod docker_config;
pub mod export;
pub mod hosts;
pub mod image_ref;
pub mod names;
pub mod scope;
pub mod secret;
pub mod workloads;
