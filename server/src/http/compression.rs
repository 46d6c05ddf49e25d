//! Compression of what the server writes: pages, server-fn answers, the
//! audit export, by the client's `Accept-Encoding` (brotli, else gzip, else
//! identity).
//!
//! The site's static files are compressed once, at build time
//! (`cargo leptos build --release --precompress` writes `.br` and `.gz`
//! beside each file); leptos_axum's file handler serves those variants, and
//! a response that already has a `Content-Encoding` passes this layer as it
//! is. Server-Sent Events (`/live/*`, `text/event-stream`) are never
//! compressed: an encoder holds small events back until its buffer fills.
//! Neither are images, gRPC nor bodies under 32 bytes (tower-http's
//! `DefaultPredicate`). Brotli runs at quality 4 on the fly, as nginx does.

use tower_http::compression::predicate::DefaultPredicate;
use tower_http::compression::CompressionLayer;

/// The layer; see the module documentation.
pub fn layer() -> CompressionLayer<DefaultPredicate> {
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .compress_when(DefaultPredicate::new())
}
