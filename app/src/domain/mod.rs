//! Pure domain logic: no IO, compiled for the server and the browser.

pub mod age;
