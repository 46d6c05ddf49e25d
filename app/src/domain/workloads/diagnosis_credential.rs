//! Check 3 of [`super::diagnose`]: the registry accepts the credential —
//! its "valid until" has not passed and its last credential test (#13)
//! accepted it; kubelet's own 401/403 messages join the evidence.

use super::super::fix::{Fix, FixAction};
use super::super::SecretFacts;
use super::checks::{check, event_messages};
use super::{in_question, Check, Inputs, Verdict};
use crate::domain::age::short_age;
use crate::domain::credential::expiry::format_utc;
use crate::domain::credential::Verdict as CredentialVerdict;
use crate::domain::hosts::normalize_host;
use crate::domain::image_ref::ImageRef;

/// Said under check 3 for a login with no recorded credential test.
pub(super) const NO_CREDENTIAL_TEST: &str = "No credential test of this login is recorded (only regboard's own registries are tested: on save, from the registry page, and periodically), so regboard cannot tell whether the registry accepts it.";

/// Check 3: the registry accepts the credential.
pub(super) fn credential_accepted(input: &Inputs) -> Check {
    let title = "The registry accepts the credential".to_owned();
    let mut evidence = Vec::new();
    let mut verdicts = Vec::new();
    let mut fix = None;
    let refused = event_messages(input, |reason, message| {
        reason == "Failed"
            && [
                "401",
                "403",
                "unauthorized",
                "authorization failed",
                "denied",
            ]
            .iter()
            .any(|w| message.to_ascii_lowercase().contains(w))
    });
    for c in in_question(input.pod) {
        let Ok(image) = ImageRef::parse(&c.image) else {
            continue;
        };
        let Some((secret, server)) =
            super::super::rows::serving(&image, &input.pod.pull_secrets, &input.ns.secrets)
        else {
            continue;
        };
        let host = normalize_host(image.registry());
        evidence.push(format!(
            "{} holds a login for {host} (entry {server}).",
            secret.describe()
        ));
        let verdict = match expired(input, secret, server, &mut evidence) {
            Some(verdict) => verdict,
            None => last_test(input, secret, server, &mut evidence),
        };
        if (verdict == Verdict::Fail || !refused.is_empty()) && fix.is_none() {
            fix = Some(relogin(secret, &host));
        }
        verdicts.push(verdict);
    }
    if verdicts.is_empty() {
        evidence.push(NO_CREDENTIAL_TEST.to_owned());
    }
    let verdict = if verdicts.is_empty() {
        Verdict::Unknown
    } else {
        Verdict::worst(verdicts)
    };
    evidence.extend(refused);
    check(3, title, verdict, evidence, fix)
}

/// `Fail` when the "valid until" of `secret`'s entry `server` has passed
/// (whatever an earlier test said); its date joins `evidence` either way.
fn expired(
    input: &Inputs,
    secret: &SecretFacts,
    server: &str,
    evidence: &mut Vec<String>,
) -> Option<Verdict> {
    let until = *secret.valid_until.get(server)?;
    if until > input.now {
        evidence.push(format!(
            "Its credential is valid until {}.",
            format_utc(until)
        ));
        return None;
    }
    evidence.push(format!(
        "Its credential expired {} ago (valid until {}).",
        short_age(input.now - until),
        format_utc(until)
    ));
    Some(Verdict::Fail)
}

/// What the last credential test of `secret`'s entry `server` says (its
/// sentence joins `evidence`): pass when accepted, fail when rejected,
/// unknown when unreachable, unexpected or never tested.
fn last_test(
    input: &Inputs,
    secret: &SecretFacts,
    server: &str,
    evidence: &mut Vec<String>,
) -> Verdict {
    let last = secret
        .registry
        .as_ref()
        .and_then(|r| input.tests.get(&(r.clone(), server.to_owned())));
    let Some(test) = last else {
        evidence.push(NO_CREDENTIAL_TEST.to_owned());
        return Verdict::Unknown;
    };
    evidence.push(format!(
        "Credential test {} ago: {}",
        short_age(test.age_seconds),
        test.verdict.sentence(server)
    ));
    match test.verdict {
        CredentialVerdict::Accepted => Verdict::Pass,
        CredentialVerdict::Rejected { .. } => Verdict::Fail,
        _ => Verdict::Unknown,
    }
}

/// "if the login … is wrong or expired, enter it again".
fn relogin(secret: &SecretFacts, host: &str) -> Fix {
    let sentence = format!(
        "if the login of {} for {host} is wrong or expired, edit it and enter the password or token again",
        secret.describe()
    );
    match &secret.registry {
        Some(registry) => Fix {
            sentence,
            action: Some(FixAction::EditRegistry {
                registry: registry.clone(),
                host: host.to_owned(),
            }),
            allowed: false,
        },
        None => Fix::says(sentence),
    }
}
