//! Checks 1, 2, 4 and 5 of [`super::diagnose`], one function each, and
//! the helpers they share with check 3 (`diagnosis_credential.rs`).

use super::super::fix::{create_registry, host_fix, missing_entry, Fix};
use super::super::{explain_reference, SecretFacts, DOCKER_CFG, DOCKER_CONFIG_JSON};
use super::{create_named, in_question, Check, Inputs, Reach, Verdict};
use crate::domain::hosts::normalize_host;
use crate::domain::image_ref::{ImageRef, DEFAULT_REGISTRY};

/// Said under check 5, whatever the outcome.
pub(super) const NODES_MAY_DIFFER: &str = "Checked from where regboard runs; the cluster's nodes may reach the registry differently (proxy, firewall, DNS).";

pub(super) fn check(
    number: u8,
    title: String,
    verdict: Verdict,
    evidence: Vec<String>,
    fix: Option<Fix>,
) -> Check {
    Check {
        number,
        title,
        verdict,
        evidence,
        fix,
    }
}

/// The named Secrets that exist in the pod's namespace.
fn existing<'a>(input: &Inputs<'a>) -> Vec<&'a SecretFacts> {
    input
        .pod
        .pull_secrets
        .iter()
        .filter_map(|n| input.ns.secret(n))
        .collect()
}

/// kubelet's messages with `reason`, newest wording once each.
pub(super) fn event_messages(input: &Inputs, keep: impl Fn(&str, &str) -> bool) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for e in input.events.iter().filter(|e| keep(&e.reason, &e.message)) {
        let line = format!("kubelet ({}): {}", e.reason, e.message);
        if !seen.contains(&line) {
            seen.push(line);
        }
    }
    seen
}

/// Check 1: every pull Secret the pod names exists in its namespace.
pub(super) fn secrets_exist(input: &Inputs) -> Check {
    let (pod, ns) = (input.pod, input.ns);
    let title = format!(
        "The pull Secrets it names exist in namespace {}",
        ns.namespace
    );
    if pod.pull_secrets.is_empty() {
        let mut evidence =
            vec!["The pod names no pull Secret in spec.imagePullSecrets.".to_owned()];
        if let Some(account) = ns
            .account(&pod.service_account)
            .filter(|a| !a.pull_secrets.is_empty())
        {
            evidence.push(format!(
                "ServiceAccount {} lists {} now; a pod gets its ServiceAccount's pull Secrets only when it is created.",
                account.name,
                account.pull_secrets.join(", ")
            ));
        }
        return check(1, title, Verdict::Pass, evidence, None);
    }
    let missing: Vec<&String> = pod
        .pull_secrets
        .iter()
        .filter(|n| ns.secret(n).is_none())
        .collect();
    if missing.is_empty() {
        let evidence = vec![format!(
            "Secret {} exists in namespace {}.",
            pod.pull_secrets.join(", "),
            ns.namespace
        )];
        return check(1, title, Verdict::Pass, evidence, None);
    }
    let mut evidence = Vec::new();
    for name in &missing {
        evidence.push(format!(
            "Secret {name} does not exist in namespace {}.",
            ns.namespace
        ));
        if let Some(places) = input.elsewhere.get(*name).filter(|p| !p.is_empty()) {
            let list: Vec<&str> = places.iter().map(|p| p.namespace.as_str()).collect();
            evidence.push(format!(
                "A Secret named {name} exists in namespace {}; a pod can use only Secrets of its own namespace.",
                list.join(", ")
            ));
        }
    }
    evidence.extend(event_messages(input, |reason, _| {
        reason == "FailedToRetrieveImagePullSecret"
    }));
    let first = missing[0];
    let places = input.elsewhere.get(first).map_or(&[][..], Vec::as_slice);
    let fix = create_named(input, first, places);
    check(1, title, Verdict::Fail, evidence, Some(fix))
}

/// Check 2: each named Secret is of a pull-Secret type and readable.
pub(super) fn secret_types(input: &Inputs) -> Check {
    let title =
        "They are pull Secrets (type kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg)"
            .to_owned();
    let found = existing(input);
    if input.pod.pull_secrets.is_empty() {
        let evidence = vec!["The pod names no pull Secret; nothing to check.".to_owned()];
        return check(2, title, Verdict::Pass, evidence, None);
    }
    if found.is_empty() {
        let evidence = vec!["None of the Secrets the pod names exists (check 1).".to_owned()];
        return check(2, title, Verdict::Unknown, evidence, None);
    }
    let mut evidence = Vec::new();
    let mut fix = None;
    for secret in found {
        let t = &secret.secret_type;
        if !secret.is_pull_type() {
            evidence.push(format!(
                "Secret {} is of type {t}; kubelet reads pull credentials only from {DOCKER_CONFIG_JSON} and {DOCKER_CFG} Secrets.",
                secret.name
            ));
            fix.get_or_insert_with(|| {
                let host = super::first_host(input.pod);
                let mut f = create_registry(&host, input.ns, Some(&secret.name));
                f.sentence = format!(
                    "replace Secret {} (type {t}) with a pull Secret: delete it, then create a registry named {} for host {host}",
                    secret.name, secret.name
                );
                f
            });
        } else if secret.servers.is_none() {
            evidence.push(format!(
                "Secret {} is of type {t}, but its docker config cannot be read.",
                secret.name
            ));
            fix.get_or_insert_with(|| {
                Fix::says(format!(
                    "re-create Secret {} with kubectl create secret docker-registry, or as a regboard registry",
                    secret.name
                ))
            });
        } else {
            evidence.push(format!("Secret {} is of type {t}.", secret.name));
        }
    }
    let verdict = if fix.is_some() {
        Verdict::Fail
    } else {
        Verdict::Pass
    };
    check(2, title, verdict, evidence, fix)
}

/// Check 4: the image names the host the credential is for.
pub(super) fn image_names_host(input: &Inputs) -> Check {
    let title = "The image names the host the credential is for".to_owned();
    let mut verdicts = Vec::new();
    let mut evidence = Vec::new();
    let mut fix = None;
    for c in in_question(input.pod) {
        let (verdict, line, f) = image_verdict(input, &c.image, c.state.is_pull_failure());
        verdicts.push(verdict);
        evidence.push(line);
        if fix.is_none() && verdict == Verdict::Fail {
            fix = f;
        }
    }
    if evidence.is_empty() {
        evidence.push("The pod has no container.".to_owned());
    }
    check(4, title, Verdict::worst(verdicts), evidence, fix)
}

fn image_verdict(input: &Inputs, written: &str, failed: bool) -> (Verdict, String, Option<Fix>) {
    let (pod, ns) = (input.pod, input.ns);
    let image = match ImageRef::parse(written) {
        Ok(image) => image,
        Err(e) => {
            let line = format!("{written} is not a valid image reference: {e}");
            let fix = Fix::says("correct the image reference in the pod's template");
            return (Verdict::Fail, line, Some(fix));
        }
    };
    let host = normalize_host(image.registry());
    let explained = explain_reference(written, &image);
    if let Some((secret, server)) =
        super::super::rows::serving(&image, &pod.pull_secrets, &ns.secrets)
    {
        let line = format!(
            "{explained}; Secret {} has an entry for it ({server}).",
            secret.name
        );
        return (Verdict::Pass, line, None);
    }
    if image.is_docker_official() && !failed {
        let line =
            format!("{explained}: an official Docker Hub image, which pulls without a login.");
        return (Verdict::Pass, line, None);
    }
    let readable: Vec<&SecretFacts> = existing(input)
        .into_iter()
        .filter(|s| s.is_pull_type() && s.servers.is_some())
        .collect();
    if let Some(first) = readable.first() {
        let held: Vec<String> = readable
            .iter()
            .flat_map(|s| {
                s.servers
                    .iter()
                    .flatten()
                    .map(move |k| format!("{k} (Secret {})", s.name))
            })
            .collect();
        let line = format!(
            "{explained}, but the pod's pull Secrets have entries only for {}.",
            held.join(", ")
        );
        let bare = image.registry() == DEFAULT_REGISTRY && !written.starts_with("docker.io/");
        let other = first
            .servers
            .iter()
            .flatten()
            .map(|k| normalize_host(k))
            .find(|k| k != "docker.io");
        let fix = match other {
            Some(other) if bare => Fix::says(format!(
                "the image names Docker Hub; if it is on {other}, write its full name, e.g. {other}/{written}"
            )),
            _ => missing_entry(first, &host),
        };
        return (Verdict::Fail, line, Some(fix));
    }
    if image.is_docker_official() {
        let line = format!("{explained}: official Docker Hub images pull without a login, so this one may not exist there.");
        let fix = Fix::says(
            "check the image's name and tag: a name without a registry host means Docker Hub",
        );
        return (Verdict::Fail, line, Some(fix));
    }
    if pod.pull_secrets.iter().any(|n| ns.secret(n).is_none()) {
        let line = format!("{explained}; the Secret the pod names does not exist, so there is no credential to compare (check 1).");
        return (Verdict::Unknown, line, None);
    }
    let line = format!("{explained}; no pull Secret of the pod has an entry for {host}.");
    (Verdict::Fail, line, Some(host_fix(ns, &image, &[pod])))
}

/// Check 5: regboard reaches the registry's `/v2/`.
pub(super) fn registry_reachable(input: &Inputs) -> Check {
    let title = "regboard reaches the registry's /v2/".to_owned();
    let hosts = super::hosts_to_probe(input.pod);
    let mut verdicts = Vec::new();
    let mut evidence = Vec::new();
    let mut fix = None;
    for host in &hosts {
        let (verdict, line) = match input.reach.get(host) {
            Some(Reach::Answered {
                url,
                status: status @ (200 | 401),
                millis,
            }) => (
                Verdict::Pass,
                format!(
                    "GET {url} answered {status} in {millis} ms: reachable{}.",
                    if *status == 401 {
                        " (401 asks for a login, as registries do)"
                    } else {
                        ""
                    }
                ),
            ),
            Some(Reach::Answered { url, status, .. }) => (
                Verdict::Fail,
                format!("GET {url} answered {status}; a registry answers 200 or 401."),
            ),
            Some(Reach::Failed { url, error }) => {
                (Verdict::Fail, format!("GET {url} failed: {error}."))
            }
            None => (Verdict::Unknown, format!("{host} was not checked.")),
        };
        if verdict == Verdict::Fail && fix.is_none() {
            fix = Some(Fix::says(format!(
                "make {host} reachable over HTTPS (DNS, firewall, proxy), or correct the host in the image"
            )));
        }
        verdicts.push(verdict);
        evidence.push(line);
    }
    if hosts.is_empty() {
        verdicts.push(Verdict::Unknown);
        evidence.push("No image names a host that could be checked.".to_owned());
    }
    evidence.push(NODES_MAY_DIFFER.to_owned());
    check(5, title, Verdict::worst(verdicts), evidence, fix)
}
