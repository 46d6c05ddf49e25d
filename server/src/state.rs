//! The one application state, cloned cheaply into every handler.

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use regboard_app::services::Services;
use sqlx::SqlitePool;

/// Everything a request handler may need.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// Where the site's files are and how Leptos renders.
    pub leptos_options: LeptosOptions,
    /// The SQLite pool.
    pub db: SqlitePool,
    /// The services that server functions call.
    pub services: Services,
}
