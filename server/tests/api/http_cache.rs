//! What travels over the wire: pages and server-fn answers compressed by
//! `Accept-Encoding` and never stored; the site's content-hashed files
//! cached for a year, their precompressed `.br`/`.gz` sent as they are; the
//! live feeds never compressed (an encoder would hold their events back).

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::Path;

use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, VARY};
use reqwest::Response;

use crate::helpers::{spawn_app, TestApp};
use crate::registry_helpers::{create, ns_input};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Content hashes as cargo-leptos writes them (22 characters of base64url MD5).
const JS_HASH: &str = "uPyMtWDJGBAU8LW1-W_wBQ";
const WASM_HASH: &str = "Qk3y_tR9Lq0aZc7VbN1xYw";
const CSS_HASH: &str = "a1B2c3D4e5F6g7H8i9J0kL";

fn header(response: &Response, name: reqwest::header::HeaderName) -> Option<&str> {
    response.headers().get(name).map(|v| v.to_str().unwrap())
}

fn brotli_decode(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn gzip_decode(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// The page's body with its per-request CSP nonce and the render time the
/// list resources carry (`[result,SECONDS]`) replaced, so two renderings of
/// one page compare equal even across a second's boundary.
async fn page_text(response: Response, decode: fn(&[u8]) -> Vec<u8>) -> String {
    let csp = header(&response, "content-security-policy".parse().unwrap()).unwrap();
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next();
    let nonce = nonce.unwrap().to_owned();
    let bytes = response.bytes().await.unwrap();
    let text = String::from_utf8(decode(&bytes))
        .unwrap()
        .replace(&nonce, "NONCE");
    without_render_time(&text)
}

/// `…},1796324927]` → `…},NOW]`.
fn without_render_time(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("},") {
        let (before, after) = rest.split_at(i + 2);
        out.push_str(before);
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits >= 9 && after[digits..].starts_with(']') {
            out.push_str("NOW");
            rest = &after[digits..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

async fn get(app: &TestApp, path: &str, encoding: Option<&str>) -> Response {
    let mut request = app.client.get(app.url(path));
    if let Some(encoding) = encoding {
        request = request.header(ACCEPT_ENCODING, encoding);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn pages_and_server_fn_answers_are_compressed_by_accept_encoding_and_never_stored() {
    let app = spawn_app().await;
    let plain = get(&app, "/registries", None).await;
    assert_eq!(plain.status(), 200);
    assert_eq!(
        header(&plain, CONTENT_ENCODING),
        None,
        "identity by default"
    );
    assert_eq!(header(&plain, CACHE_CONTROL), Some("no-store"));
    let plain = page_text(plain, <[u8]>::to_vec).await;
    assert!(plain.contains(r#"data-testid="add-registry""#), "{plain}");

    type Decode = fn(&[u8]) -> Vec<u8>;
    let codings: [(&str, &str, Decode); 3] = [
        ("br", "br", brotli_decode),
        ("gzip", "gzip", gzip_decode),
        ("gzip;q=0.5, br", "br", brotli_decode),
    ];
    for (accepted, coding, decode) in codings {
        let response = get(&app, "/registries", Some(accepted)).await;
        assert_eq!(response.status(), 200, "{accepted}");
        assert_eq!(
            header(&response, CONTENT_ENCODING),
            Some(coding),
            "{accepted}"
        );
        assert_eq!(header(&response, CACHE_CONTROL), Some("no-store"));
        assert!(header(&response, VARY).unwrap().contains("accept-encoding"));
        assert_eq!(page_text(response, decode).await, plain, "{accepted}");
    }

    // The demo seed has no registry: one, so the answer is worth compressing
    // (tower-http leaves bodies under 32 bytes, such as `[]`, as they are).
    create(&app, ns_input("payments-dev", "compressed", "pw-1"))
        .await
        .unwrap();
    let answer = app
        .client
        .post(app.url("/api/list_registries"))
        .header(ACCEPT_ENCODING, "gzip")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(header(&answer, CONTENT_ENCODING), Some("gzip"));
    assert_eq!(header(&answer, CACHE_CONTROL), Some("no-store"));
    let json: serde_json::Value =
        serde_json::from_slice(&gzip_decode(&answer.bytes().await.unwrap())).unwrap();
    assert!(
        !json.as_array().unwrap().is_empty(),
        "the registry just created: {json}"
    );
}

/// The audit export is a stream: compressed, it must still end cleanly
/// (an encoder polls its body once more after the end; a stream that
/// panics then cuts the download, which the browser reports as cancelled).
#[tokio::test]
async fn the_audit_export_is_compressed_and_complete() {
    let app = spawn_app().await;
    let plain = get(&app, "/audit/export?format=jsonl", None).await;
    assert_eq!(plain.status(), 200);
    let plain = plain.text().await.unwrap();
    assert!(plain.lines().count() > 0, "the sign-in at least: {plain}");
    type Decode = fn(&[u8]) -> Vec<u8>;
    let codings: [(&str, Decode); 2] = [("br", brotli_decode), ("gzip", gzip_decode)];
    for (coding, decode) in codings {
        let response = get(&app, "/audit/export?format=jsonl", Some(coding)).await;
        assert_eq!(response.status(), 200, "{coding}");
        assert_eq!(header(&response, CONTENT_ENCODING), Some(coding));
        let body = response.bytes().await.expect("the whole body arrives");
        let text = String::from_utf8(decode(&body)).unwrap();
        // Each export is audited, so a later one has one line more.
        assert!(text.starts_with(&plain), "{coding}: {text}");
        for line in text.lines() {
            serde_json::from_str::<serde_json::Value>(line).expect("each line is JSON");
        }
    }
}

#[tokio::test]
async fn the_live_feed_is_not_compressed() {
    let app = spawn_app().await;
    let mut response = get(&app, "/live/namespaces", Some("br, gzip")).await;
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    assert_eq!(header(&response, CONTENT_ENCODING), None);
    // The first event arrives as it was written, while the stream stays open.
    let chunk = response.chunk().await.unwrap().unwrap();
    let text = String::from_utf8(chunk.to_vec()).unwrap();
    assert!(text.contains("data:"), "{text}");
}

/// A site as `cargo leptos build --release --precompress` lays it out:
/// hashed names in `pkg/`, a `.br` and `.gz` beside the wasm, and the hash
/// file. Returns the wasm's bytes.
fn write_site(site: &Path, hash_file: &Path) -> Vec<u8> {
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let wasm: Vec<u8> = (0..20_000u32)
        .flat_map(|i| format!("fn{}:{};", i % 97, i % 13).into_bytes())
        .collect();
    std::fs::write(pkg.join(format!("regboard.{WASM_HASH}.wasm")), &wasm).unwrap();
    let mut br = Vec::new();
    brotli::BrotliCompress(&mut &wasm[..], &mut br, &Default::default()).unwrap();
    std::fs::write(pkg.join(format!("regboard.{WASM_HASH}.wasm.br")), br).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&wasm).unwrap();
    std::fs::write(
        pkg.join(format!("regboard.{WASM_HASH}.wasm.gz")),
        gz.finish().unwrap(),
    )
    .unwrap();
    std::fs::write(pkg.join(format!("regboard.{JS_HASH}.js")), "export {};").unwrap();
    std::fs::write(pkg.join(format!("regboard.{CSS_HASH}.css")), "body{}").unwrap();
    std::fs::write(site.join("favicon.svg"), "<svg/>").unwrap();
    let hashes = format!("js: {JS_HASH}\nwasm: {WASM_HASH}\ncss: {CSS_HASH}\n");
    std::fs::write(hash_file, hashes).unwrap();
    wasm
}

/// Serves `app`'s state again with its site at `site` and the hash file at
/// `hash_file`, as `serve` finds them beside a release binary.
async fn serve_with_site(app: &TestApp, site: &Path, hash_file: &Path) -> SocketAddr {
    let mut state = app.state.clone();
    state.leptos_options.site_root = site.to_string_lossy().as_ref().into();
    state.leptos_options.hash_files = true;
    state.leptos_options.hash_file = hash_file.to_string_lossy().as_ref().into();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service =
        regboard_server::router(state).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
    addr
}

#[tokio::test]
async fn hashed_files_are_named_by_pages_cached_for_good_and_sent_precompressed() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let (site, hash_file) = (dir.path().join("site"), dir.path().join("hash.txt"));
    let wasm = write_site(&site, &hash_file);
    let addr = serve_with_site(&app, &site, &hash_file).await;
    let url = |path: &str| format!("http://{addr}{path}");

    let html = app.anonymous.get(url("/login")).send().await.unwrap();
    let html = html.text().await.unwrap();
    for name in [
        format!("/pkg/regboard.{JS_HASH}.js"),
        format!("/pkg/regboard.{WASM_HASH}.wasm"),
        format!("/pkg/regboard.{CSS_HASH}.css"),
    ] {
        assert!(html.contains(&name), "the page names {name}: {html}");
    }

    let path = format!("/pkg/regboard.{WASM_HASH}.wasm");
    let fetch = |encoding: Option<&'static str>| {
        let mut request = app.anonymous.get(url(&path));
        if let Some(encoding) = encoding {
            request = request.header(ACCEPT_ENCODING, encoding);
        }
        request.send()
    };
    let file = |suffix: &str| std::fs::read(site.join(format!("{}{suffix}", &path[1..])));
    for (accepted, coding, suffix) in [
        (None, None, ""),
        (Some("br"), Some("br"), ".br"),
        (Some("gzip"), Some("gzip"), ".gz"),
    ] {
        let response = fetch(accepted).await.unwrap();
        assert_eq!(response.status(), 200, "{accepted:?}");
        assert_eq!(header(&response, CACHE_CONTROL), Some(IMMUTABLE));
        assert_eq!(header(&response, CONTENT_ENCODING), coding, "{accepted:?}");
        assert_eq!(response.headers()["content-type"], "application/wasm");
        let body = response.bytes().await.unwrap();
        // Byte for byte the file written at build time, not a fresh encoding.
        assert_eq!(body.as_ref(), file(suffix).unwrap(), "{accepted:?}");
    }
    assert_eq!(brotli_decode(&file(".br").unwrap()), wasm);
    assert_eq!(gzip_decode(&file(".gz").unwrap()), wasm);

    // An unhashed file is revalidated; a name that is not there is not cached.
    let favicon = app.anonymous.get(url("/favicon.svg")).send().await.unwrap();
    assert_eq!(header(&favicon, CACHE_CONTROL), Some("no-cache"));
    let missing = format!("/pkg/regboard.{JS_HASH}.wasm");
    let missing = app.anonymous.get(url(&missing)).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(header(&missing, CACHE_CONTROL), Some("no-store"));
}
