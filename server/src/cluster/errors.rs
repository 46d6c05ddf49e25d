//! Kubernetes API and transport errors, in one place for every caller
//! (registries, projects, the reconciler, the status monitor): as the
//! sentence a person reads, as the user's [`AppError`], and as "worth a
//! retry".

use regboard_app::AppError;

/// Describes `err` in one sentence that names what to check; never includes
/// a request body, so no credential can leak through it.
pub fn describe_kube_error(err: &kube::Error) -> String {
    match err {
        kube::Error::Api(status) => match status.code {
            401 => "the cluster rejected regboard's credentials (401 Unauthorized); check the kubeconfig user or token".into(),
            403 => match super::permission::Permission::refused_by(&status.message) {
                Some(refused) => super::permission::refusal_sentence(&[refused]),
                None => format!("regboard's identity is not allowed to do this (403 Forbidden): {}", status.message),
            },
            404 => format!("not found: {}", status.message),
            409 => format!("conflict: {}", status.message),
            422 => format!("the cluster refused the object as invalid: {}", status.message),
            429 => "the cluster is throttling requests (429 Too Many Requests); regboard will retry".into(),
            code if code >= 500 => format!("the API server failed ({code}): {}", status.message),
            code => format!("the cluster refused the request ({code}): {}", status.message),
        },
        kube::Error::HyperError(e) => format!("cannot reach the API server: {}", root_cause(e)),
        kube::Error::Service(e) => format!("cannot reach the API server: {}", root_cause(e.as_ref())),
        kube::Error::Auth(e) => format!("cannot authenticate to the cluster: {e}"),
        kube::Error::TlsRequired => "the API server requires TLS but the kubeconfig does not use it".into(),
        other => format!("cluster request failed: {}", root_cause(other)),
    }
}

/// The innermost error's message, which is usually the one that says what
/// happened ("Connection refused", "certificate verify failed").
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut current = err;
    while let Some(next) = current.source() {
        current = next;
    }
    let text = current.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// The HTTP status of a Kubernetes API error, if it is one.
pub fn status_code(err: &kube::Error) -> Option<u16> {
    match err {
        kube::Error::Api(status) => Some(status.code),
        _ => None,
    }
}

/// Whether retrying `err` later may succeed (5xx, 429, transport).
pub fn is_transient(err: &kube::Error) -> bool {
    match status_code(err) {
        Some(code) => code == 429 || code >= 500,
        None => true,
    }
}

/// How long the cluster asked us to wait (a 429's or 503's
/// `details.retryAfterSeconds`, which kube-apiserver also sends as the
/// `Retry-After` header).
pub fn retry_after(err: &kube::Error) -> Option<std::time::Duration> {
    match err {
        kube::Error::Api(status) => status
            .details
            .as_ref()
            .map(|d| d.retry_after_seconds)
            .filter(|s| *s > 0)
            .map(|s| std::time::Duration::from_secs(s.into())),
        _ => None,
    }
}

/// Maps `err` to the user's error; `what` names the object ("Secret x in
/// namespace y"). `secrets` are scrubbed from any text taken from the API.
pub fn app_error(err: &kube::Error, what: &str, secrets: &[&str]) -> AppError {
    let message = scrub(&describe_kube_error(err), secrets);
    match status_code(err) {
        Some(404) => AppError::NotFound(format!("{what} does not exist.")),
        Some(409) => AppError::Conflict(format!(
            "{what} was changed by someone else in the meantime; reload and try again."
        )),
        Some(401 | 403) => AppError::Forbidden(message),
        Some(429) => AppError::ClusterThrottled {
            retry_after_secs: retry_after(err).map_or(1, |d| d.as_secs().max(1)),
        },
        Some(400 | 422) => AppError::Invalid {
            field: None,
            message: format!("The cluster refused {what}: {message}"),
        },
        _ => AppError::ClusterUnavailable(message),
    }
}

/// Replaces every occurrence of a secret (non-empty) in `text`.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    secrets
        .iter()
        .filter(|s| s.len() >= 3)
        .fold(text.to_owned(), |t, s| t.replace(s, "[redacted]"))
}

/// How long a person's request waits for the cluster.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// `work` (the cluster calls of one request), or "the cluster did not
/// answer" after [`REQUEST_TIMEOUT`]: a hung API server answers the user
/// within seconds, and the outcome is audited like any other.
pub async fn answer_within<T>(
    work: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    match tokio::time::timeout(REQUEST_TIMEOUT, work).await {
        Ok(result) => result,
        Err(_) => Err(AppError::ClusterUnavailable(format!(
            "the cluster did not answer within {} seconds; try again later",
            REQUEST_TIMEOUT.as_secs()
        ))),
    }
}

/// Creates namespace `name` unless it exists. It asks first, so where the
/// namespace is there (regboard's own, when it runs in a pod) no create is
/// ever sent and the ClusterRole needs no `create` on namespaces; a missing
/// one is created if regboard may (a refusal names the permission).
pub async fn ensure_namespace(client: &kube::Client, name: &str) -> Result<(), kube::Error> {
    let api: kube::Api<k8s_openapi::api::core::v1::Namespace> = kube::Api::all(client.clone());
    if api.get_opt(name).await?.is_some() {
        return Ok(());
    }
    let mut ns = k8s_openapi::api::core::v1::Namespace::default();
    ns.metadata.name = Some(name.to_owned());
    match api.create(&kube::api::PostParams::default(), &ns).await {
        Ok(_) => Ok(()),
        Err(e) if status_code(&e) == Some(409) => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: u16, message: &str) -> kube::Error {
        kube::Error::Api(
            kube::core::Status::failure(message, "Reason")
                .with_code(code)
                .boxed(),
        )
    }

    #[test]
    fn status_codes_read_as_sentences() {
        assert!(describe_kube_error(&api(401, "Unauthorized"))
            .contains("rejected regboard's credentials"));
        assert!(describe_kube_error(&api(403, "namespaces is forbidden")).contains("403 Forbidden"));
        let refused = "namespaces is forbidden: User \"jane\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope";
        assert!(describe_kube_error(&api(403, refused))
            .starts_with("regboard may not list namespaces at the cluster scope"));
        assert!(describe_kube_error(&api(503, "etcd down")).contains("API server failed (503)"));
    }

    #[test]
    fn scrub_removes_every_secret() {
        assert_eq!(
            scrub("bad value \"hunter22\" in hunter22", &["hunter22", ""]),
            "bad value \"[redacted]\" in [redacted]"
        );
    }
}
