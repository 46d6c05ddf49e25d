//! The current time, on the server and in the browser.

/// Seconds since the Unix epoch, from the browser's clock in wasm (where
/// `SystemTime` is unavailable) and from the system clock on the server.
pub fn now_unix() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        (leptos::web_sys::js_sys::Date::now() / 1000.0) as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    }
}
