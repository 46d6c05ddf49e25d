//! Spawning the app for a test.

use std::net::SocketAddr;
use std::sync::Arc;

use regboard_app::services::Services;
use regboard_server::{serve, AppState};
use sqlx::SqlitePool;
use tempfile::TempDir;

/// A running server with its own database.
pub struct TestApp {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its database pool (shared with the server).
    pub db: SqlitePool,
    /// A client that keeps cookies.
    pub client: reqwest::Client,
    _dir: TempDir,
}

impl TestApp {
    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// GETs `path` and returns status and body.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let response = self.client.get(self.url(path)).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }
}

/// Starts the router on 127.0.0.1:0 with a fresh database.
pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let db = regboard_server::db::open(&dir.path().join("regboard.db"))
        .await
        .unwrap();
    let listener = serve::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState {
        leptos_options: serve::leptos_options(addr),
        db: db.clone(),
        services: Services {
            cluster: Arc::new(regboard_server::cluster::Disconnected),
        },
    };
    tokio::spawn(async move {
        axum::serve(listener, regboard_server::router(state))
            .await
            .unwrap();
    });
    TestApp {
        addr,
        db,
        client: reqwest::Client::builder().build().unwrap(),
        _dir: dir,
    }
}
