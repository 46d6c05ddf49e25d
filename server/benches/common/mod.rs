//! What several benchmarks share: calling a server function as the
//! browser does (a form-encoded POST, the arguments by `serde_qs`).

use serde::Serialize;

/// POSTs `args` to `/api/<endpoint>` as `client`; panics with the answer
/// unless it succeeded.
pub async fn call(client: &reqwest::Client, base: &str, endpoint: &str, args: &impl Serialize) {
    let response = client
        .post(format!("{base}/api/{endpoint}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_qs::to_string(args).unwrap())
        .send()
        .await
        .unwrap();
    let status = response.status();
    assert!(
        status.is_success(),
        "{endpoint}: {}",
        response.text().await.unwrap()
    );
}
