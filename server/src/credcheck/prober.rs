//! The credential test over HTTP, as the registry protocol says (the
//! Distribution spec's `/v2/` check and its token authentication):
//!
//! ```text
//! GET <base>/v2/ ──► 401 + WWW-Authenticate ──► challenge::plan
//!   Basic  ─► GET <base>/v2/ (Basic credential)               ─► verdict
//!   Bearer ─► GET realm?service=…&scope=… (Basic credential)   ─► token
//!             ─► GET <base>/v2/ (Bearer token)                  ─► verdict
//! ```
//!
//! `<base>` is `https://<host>`, or `http://<host>` only for a host the
//! server was told speaks plain HTTP (`--credential-check-plain-http`); a
//! token realm is held to the same rule. No redirect is followed; each
//! request has the configured timeout; the system's proxy settings apply
//! (reqwest reads `HTTPS_PROXY`, `NO_PROXY`, …). Every verdict text is
//! scrubbed of the password, the `auth` value and the token.

use base64::Engine;
use regboard_app::domain::credential::parse_challenges;
use regboard_app::domain::credential::{plan, registry_error_text, AuthPlan, Verdict};
use regboard_app::domain::hosts::normalize_host;
use regboard_app::domain::secret::Password;
use regboard_app::domain::workloads::registry_api_base;

use super::transport::{classify, describe};
use super::CredCheckOptions;
use crate::cluster::errors::scrub;

/// A username and password to test.
pub struct Login<'a> {
    /// The username (may be empty: then no Basic credential is sent).
    pub username: &'a str,
    /// The password or token.
    pub password: &'a Password,
}

/// The HTTP side of credential tests; cheap to clone.
#[derive(Clone)]
pub struct Prober {
    client: reqwest::Client,
    options: CredCheckOptions,
}

impl Prober {
    /// A prober with `options`' timeout and plain-HTTP hosts.
    pub fn new(options: CredCheckOptions) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("regboard/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Prober { client, options })
    }

    /// Tests `login` against `host` (a docker config key); with
    /// `repository`, the token asked for has its pull scope.
    pub async fn test(&self, host: &str, login: &Login<'_>, repository: Option<&str>) -> Verdict {
        let mut token = String::new();
        let verdict = self.run(host, login, repository, &mut token).await;
        let auth = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            login.username,
            login.password.expose()
        ));
        scrub_verdict(verdict, &[login.password.expose(), &auth, &token])
    }

    async fn run(
        &self,
        host: &str,
        login: &Login<'_>,
        repository: Option<&str>,
        token: &mut String,
    ) -> Verdict {
        let Some(base) = self.base(host) else {
            return unexpected(format!("{host} is not a registry host regboard can test"));
        };
        let v2 = format!("{base}/v2/");
        let first = match self.client.get(&v2).send().await {
            Ok(r) => r,
            Err(e) => return self.unreachable(&e),
        };
        match first.status().as_u16() {
            401 => {}
            200 => {
                return unexpected(format!(
                "{v2} answered 200 without asking for a credential, so this one cannot be tested"
            ))
            }
            status => return unexpected(format!("{v2} answered HTTP {status} instead of 401")),
        }
        let headers = first.headers().get_all(reqwest::header::WWW_AUTHENTICATE);
        let challenges = parse_challenges(headers.iter().filter_map(|h| h.to_str().ok()));
        match plan(&challenges) {
            AuthPlan::Basic => {
                let request = self.client.get(&v2);
                self.final_answer(with_login(request, login)).await
            }
            AuthPlan::Bearer {
                realm,
                service,
                scope,
            } => {
                let scope = repository.map(|r| format!("repository:{r}:pull")).or(scope);
                match self.token(&realm, service, scope, login).await {
                    Ok(t) => {
                        *token = t;
                        let request = self.client.get(&v2).bearer_auth(token.as_str());
                        self.final_answer(request).await
                    }
                    Err(verdict) => verdict,
                }
            }
            AuthPlan::Unsupported { schemes } => unexpected(format!(
                "{v2} asks for {} authentication, which regboard cannot test",
                if schemes.is_empty() {
                    "no known".to_owned()
                } else {
                    schemes.join(", ")
                }
            )),
        }
    }

    /// `https://<host>`, or `http://<host>` for a host marked plain HTTP.
    fn base(&self, host: &str) -> Option<String> {
        let host = normalize_host(host);
        if host.is_empty() || host.contains('/') {
            return None;
        }
        if self
            .options
            .plain_http
            .iter()
            .any(|h| normalize_host(h) == host)
        {
            Some(format!("http://{host}"))
        } else {
            Some(registry_api_base(&host))
        }
    }

    /// The token from `realm`, or the verdict when there is none.
    async fn token(
        &self,
        realm: &str,
        service: Option<String>,
        scope: Option<String>,
        login: &Login<'_>,
    ) -> Result<String, Verdict> {
        let url = reqwest::Url::parse(realm)
            .map_err(|_| unexpected(format!("the token realm {realm:?} is not a URL")))?;
        let plain_ok = url.host_str().is_some_and(|h| {
            let at = match url.port() {
                Some(port) => format!("{h}:{port}"),
                None => h.to_owned(),
            };
            self.options
                .plain_http
                .iter()
                .any(|p| normalize_host(p) == at)
        });
        if url.scheme() != "https" && !(url.scheme() == "http" && plain_ok) {
            return Err(unexpected(format!(
                "the token realm {realm} is not HTTPS; regboard does not send a credential there"
            )));
        }
        let query: Vec<(&str, String)> = [("service", service), ("scope", scope)]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect();
        let request = with_login(self.client.get(url).query(&query), login);
        let answer = request.send().await.map_err(|e| self.unreachable(&e))?;
        let status = answer.status().as_u16();
        let body = answer.text().await.unwrap_or_default();
        match status {
            200 => token_of(&body)
                .ok_or_else(|| unexpected(format!("the token service at {realm} sent no token"))),
            401 | 403 => Err(Verdict::Rejected {
                status,
                message: registry_error_text(&body),
            }),
            _ => Err(unexpected(format!(
                "the token service at {realm} answered HTTP {status}"
            ))),
        }
    }

    /// The verdict of the last `/v2/` request.
    async fn final_answer(&self, request: reqwest::RequestBuilder) -> Verdict {
        let answer = match request.send().await {
            Ok(a) => a,
            Err(e) => return self.unreachable(&e),
        };
        let status = answer.status().as_u16();
        match status {
            200 => Verdict::Accepted,
            401 | 403 => Verdict::Rejected {
                status,
                message: registry_error_text(&answer.text().await.unwrap_or_default()),
            },
            _ => unexpected(format!("/v2/ answered HTTP {status} to the credential")),
        }
    }

    fn unreachable(&self, e: &reqwest::Error) -> Verdict {
        Verdict::Unreachable {
            cause: classify(e),
            detail: describe(e, self.options.timeout),
        }
    }
}

/// `request` with the login as HTTP Basic (none for an empty username and
/// password: an anonymous token).
fn with_login(request: reqwest::RequestBuilder, login: &Login<'_>) -> reqwest::RequestBuilder {
    if login.username.is_empty() && login.password.is_empty() {
        request
    } else {
        request.basic_auth(login.username, Some(login.password.expose()))
    }
}

/// `token`, else `access_token`, of a token service's JSON answer.
fn token_of(body: &str) -> Option<String> {
    let json: serde_json::Value = serde_json::from_str(body).ok()?;
    ["token", "access_token"]
        .iter()
        .find_map(|k| json.get(k)?.as_str().filter(|t| !t.is_empty()))
        .map(str::to_owned)
}

fn unexpected(detail: String) -> Verdict {
    Verdict::Unexpected { detail }
}

/// `verdict` with every secret replaced in its texts.
fn scrub_verdict(verdict: Verdict, secrets: &[&str]) -> Verdict {
    match verdict {
        Verdict::Rejected { status, message } => Verdict::Rejected {
            status,
            message: scrub(&message, secrets),
        },
        Verdict::Unreachable { cause, detail } => Verdict::Unreachable {
            cause,
            detail: scrub(&detail, secrets),
        },
        Verdict::Unexpected { detail } => Verdict::Unexpected {
            detail: scrub(&detail, secrets),
        },
        Verdict::Accepted => Verdict::Accepted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_read_from_either_field() {
        assert_eq!(
            token_of(r#"{"token":"a","access_token":"b"}"#).as_deref(),
            Some("a")
        );
        assert_eq!(token_of(r#"{"access_token":"b"}"#).as_deref(), Some("b"));
        assert_eq!(token_of(r#"{"token":""}"#), None);
        assert_eq!(token_of("nope"), None);
    }

    #[test]
    fn verdict_texts_lose_every_secret() {
        let v = Verdict::Rejected {
            status: 401,
            message: "bad password hunter22 for aGk6aHVudGVyMjI=".into(),
        };
        let Verdict::Rejected { message, .. } = scrub_verdict(v, &["hunter22", "aGk6aHVudGVyMjI="])
        else {
            unreachable!()
        };
        assert!(
            !message.contains("hunter22") && !message.contains("aGk6"),
            "{message}"
        );
    }

    #[test]
    fn only_marked_hosts_are_asked_over_plain_http() {
        let options = CredCheckOptions {
            plain_http: vec!["127.0.0.1:5000".into()],
            ..CredCheckOptions::default()
        };
        let prober = Prober::new(options).unwrap();
        assert_eq!(
            prober.base("127.0.0.1:5000").as_deref(),
            Some("http://127.0.0.1:5000")
        );
        assert_eq!(
            prober.base("http://127.0.0.1:5001").as_deref(),
            Some("https://127.0.0.1:5001")
        );
        assert_eq!(
            prober.base("https://index.docker.io/v1/").as_deref(),
            Some("https://registry-1.docker.io")
        );
    }
}
