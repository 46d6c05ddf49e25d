//! regboard's Leptos application, compiled twice: with `ssr` into the server
//! and with `hydrate` into the browser's wasm.
//!
//! Data flows one way: component → server fn (`api`) → service trait
//! (`services`, implemented by the server crate) → cluster / database.
//! The `app` crate therefore needs no kube or sqlx dependency.

// Leptos view types of the larger pages nest deeply.
#![recursion_limit = "256"]

pub mod api;
pub mod domain;
pub mod error;
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
