//! regboard's Leptos application, compiled twice: with `ssr` into the server
//! and with `hydrate` into the browser's wasm.
//!
//! Data flows one way:
//!
//! ```text
//! ui (pages, components) ─► api (server fns) ─► services (traits) ─► server crate
//!        │                    │   └► context (caller, session)        (cluster, SQLite)
//!        └────────────────────┴──► model (wire types) ─► domain (pure rules, no IO)
//! ```
//!
//! `model` and `domain` depend on nothing above them; `context` and
//! `services` exist only with `ssr`. The `app` crate needs no kube or sqlx
//! dependency.

// Leptos view types of the larger pages nest deeply.
#![recursion_limit = "256"]

pub mod api;
#[cfg(feature = "ssr")]
pub mod context;
pub mod domain;
pub mod error;
pub mod model;
#[cfg(feature = "ssr")]
pub mod services;
pub mod ui;

pub use error::AppError;
pub use ui::{shell, App};

/// Browser entry point: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
