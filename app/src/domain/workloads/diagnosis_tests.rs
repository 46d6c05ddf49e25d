//! The five checks for each cause of a failed pull.

use std::collections::BTreeMap;

use super::*;
use crate::domain::workloads::rows::tests::{pod, pull_secret};
use crate::domain::workloads::{AccountFacts, PullState, SecretFacts};

struct Case {
    ns: NamespaceFacts,
    elsewhere: BTreeMap<String, Vec<Elsewhere>>,
    reach: BTreeMap<String, Reach>,
    events: Vec<EventFacts>,
    tests: LastTests,
}

fn case(p: PodFacts, secrets: Vec<SecretFacts>) -> Case {
    Case {
        ns: NamespaceFacts {
            namespace: "shop".into(),
            project: Some("retail".into()),
            pods: vec![p],
            secrets,
            accounts: vec![AccountFacts {
                name: "default".into(),
                pull_secrets: vec![],
            }],
        },
        elsewhere: BTreeMap::new(),
        reach: BTreeMap::new(),
        events: Vec::new(),
        tests: LastTests::new(),
    }
}

impl Case {
    fn run(&self) -> Vec<Check> {
        diagnose(&Inputs {
            ns: &self.ns,
            pod: &self.ns.pods[0],
            elsewhere: &self.elsewhere,
            reach: &self.reach,
            events: &self.events,
            tests: &self.tests,
            now: NOW,
        })
    }
}

fn verdicts(checks: &[Check]) -> Vec<Verdict> {
    checks.iter().map(|c| c.verdict).collect()
}

fn failing(image: &str, secrets: &[&str]) -> PodFacts {
    pod("api", &[image], secrets, PullState::ImagePullBackOff)
}

use Verdict::{Fail, Pass, Unknown};

/// The diagnosis' "now" (2027-03-31 18:00 UTC).
const NOW: i64 = 1_806_516_000;

#[test]
fn a_missing_named_secret_fails_check_one_and_says_where_it_is() {
    let mut c = case(failing("ghcr.io/acme/api:2", &["ghcr-pull"]), vec![]);
    c.events.push(EventFacts {
        kind: "Warning".into(),
        reason: "FailedToRetrieveImagePullSecret".into(),
        message: "Unable to retrieve some image pull secrets (ghcr-pull); attempting to pull the image may not succeed.".into(),
        count: 1,
        last_unix: None,
    });
    let checks = c.run();
    assert_eq!(
        verdicts(&checks),
        [Fail, Unknown, Unknown, Unknown, Unknown]
    );
    let first = &checks[0];
    assert!(first.evidence[0].contains("Secret ghcr-pull does not exist in namespace shop"));
    assert!(first
        .evidence
        .iter()
        .any(|e| e.starts_with("kubelet (FailedToRetrieveImagePullSecret)")));
    assert_eq!(
        first.fix.as_ref().unwrap().sentence,
        "create a registry named ghcr-pull for host ghcr.io"
    );

    c.elsewhere.insert(
        "ghcr-pull".into(),
        vec![Elsewhere {
            namespace: "shop-dev".into(),
            project: Some("retail".into()),
        }],
    );
    let checks = c.run();
    assert!(checks[0].evidence[1].contains("exists in namespace shop-dev"));
    let fix = checks[0].fix.as_ref().unwrap();
    assert!(
        fix.sentence
            .contains("create registry ghcr-pull for project retail"),
        "{}",
        fix.sentence
    );
    assert!(matches!(
        &fix.action,
        Some(FixAction::CreateRegistry { project: Some(p), name: Some(n), .. }) if p == "retail" && n == "ghcr-pull"
    ));
}

#[test]
fn an_opaque_secret_fails_check_two() {
    let mut opaque = pull_secret("ghcr-pull", &["ghcr.io"]);
    opaque.secret_type = "Opaque".into();
    opaque.servers = None;
    let checks = case(failing("ghcr.io/acme/api:2", &["ghcr-pull"]), vec![opaque]).run();
    assert_eq!(verdicts(&checks)[..4], [Pass, Fail, Unknown, Fail]);
    assert!(checks[1].evidence[0].contains("is of type Opaque"));
    assert!(checks[1]
        .fix
        .as_ref()
        .unwrap()
        .sentence
        .starts_with("replace Secret ghcr-pull (type Opaque) with a pull Secret"));
}

#[test]
fn a_bare_image_means_docker_hub_and_fails_check_four_against_a_ghcr_secret() {
    let checks = case(
        failing("app:v1", &["ghcr"]),
        vec![pull_secret("ghcr", &["ghcr.io"])],
    )
    .run();
    assert_eq!(verdicts(&checks)[..4], [Pass, Pass, Unknown, Fail]);
    let four = &checks[3];
    assert!(
        four.evidence[0].starts_with("app:v1 means docker.io/library/app:v1 (Docker Hub)"),
        "{:?}",
        four.evidence
    );
    assert!(four.evidence[0].contains("entries only for ghcr.io (Secret ghcr)"));
    assert_eq!(
        four.fix.as_ref().unwrap().sentence,
        "the image names Docker Hub; if it is on ghcr.io, write its full name, e.g. ghcr.io/app:v1"
    );
}

#[test]
fn a_failing_official_image_may_not_exist() {
    let checks = case(failing("app:v1", &[]), vec![]).run();
    assert_eq!(checks[3].verdict, Fail);
    assert!(checks[3].evidence[0].contains("may not exist"));
    assert!(checks[3]
        .fix
        .as_ref()
        .unwrap()
        .sentence
        .starts_with("check the image's name and tag"));
}

#[test]
fn an_explicit_host_without_an_entry_names_the_missing_entry() {
    let checks = case(
        failing("quay.io/acme/api:2", &["ghcr"]),
        vec![pull_secret("ghcr", &["ghcr.io"])],
    )
    .run();
    assert_eq!(checks[3].verdict, Fail);
    assert_eq!(
        checks[3].fix.as_ref().unwrap().sentence,
        "Secret ghcr has no entry for host quay.io"
    );
}

#[test]
fn a_public_image_passes_check_four_without_a_secret() {
    let c = case(pod("web", &["nginx:1.27"], &[], PullState::Running), vec![]);
    let checks = c.run();
    assert_eq!(verdicts(&checks)[..4], [Pass, Pass, Unknown, Pass]);
    assert!(checks[3].evidence[0].contains("an official Docker Hub image"));
    assert!(!is_failing(&c.ns.pods[0], &[]));
}

#[test]
fn no_secret_for_a_private_host_fails_check_four_with_the_coverage_fix() {
    let checks = case(failing("registry.local:5000/api:1", &[]), vec![]).run();
    assert_eq!(checks[3].verdict, Fail);
    assert_eq!(
        checks[3].fix.as_ref().unwrap().sentence,
        "create a registry for host registry.local:5000"
    );
}

#[test]
fn check_three_without_a_test_stays_unknown_and_quotes_a_refusal() {
    let mut c = case(
        failing("ghcr.io/acme/api:2", &["ghcr"]),
        vec![pull_secret("ghcr", &["ghcr.io"])],
    );
    c.events.push(EventFacts {
        kind: "Warning".into(),
        reason: "Failed".into(),
        message: "Failed to pull image \"ghcr.io/acme/api:2\": … 401 Unauthorized".into(),
        count: 3,
        last_unix: None,
    });
    let checks = c.run();
    assert_eq!(checks[2].verdict, Unknown);
    assert!(checks[2]
        .evidence
        .iter()
        .any(|e| e.contains("No credential test of this login is recorded")));
    assert!(checks[2]
        .evidence
        .iter()
        .any(|e| e.contains("Secret ghcr holds a login for ghcr.io")));
    assert!(checks[2]
        .evidence
        .iter()
        .any(|e| e.contains("401 Unauthorized")));
    assert!(checks[2]
        .fix
        .as_ref()
        .unwrap()
        .sentence
        .contains("wrong or expired"));
    assert_eq!(checks[3].verdict, Pass);
}

/// A pod failing to pull from ghcr.io with regboard's registry `ghcr`
/// whose last test of `ghcr.io` gave `verdict`.
fn tested(verdict: crate::domain::credential::Verdict) -> Case {
    let registry = crate::domain::workloads::RegistryRef {
        scope: crate::domain::scope::Scope::Project {
            project: "retail".into(),
        },
        name: "ghcr".into(),
    };
    let mut secret = pull_secret("ghcr", &["ghcr.io"]);
    secret.registry = Some(registry.clone());
    let mut c = case(failing("ghcr.io/acme/api:2", &["ghcr"]), vec![secret]);
    let test = LastTest {
        verdict,
        age_seconds: 300,
    };
    c.tests.insert((registry, "ghcr.io".into()), test);
    c
}

#[test]
fn check_three_follows_the_last_credential_test() {
    use crate::domain::credential::{Unreachable, Verdict as V};
    let accepted = tested(V::Accepted).run();
    assert_eq!(accepted[2].verdict, Pass);
    assert!(accepted[2]
        .evidence
        .iter()
        .any(|e| e == "Credential test 5m ago: ghcr.io accepted the credential."));
    let rejected = tested(V::Rejected {
        status: 401,
        message: "authentication required".into(),
    })
    .run();
    assert_eq!(rejected[2].verdict, Fail);
    assert!(rejected[2]
        .evidence
        .iter()
        .any(|e| e.contains("rejected the credential (HTTP 401): authentication required")));
    assert!(rejected[2]
        .fix
        .as_ref()
        .unwrap()
        .sentence
        .contains("wrong or expired"));
    let unreachable = tested(V::Unreachable {
        cause: Unreachable::Dns,
        detail: "failed to lookup address information".into(),
    })
    .run();
    assert_eq!(unreachable[2].verdict, Unknown);
}

#[test]
fn reach_passes_on_200_or_401_and_fails_otherwise() {
    let mut c = case(failing("registry.local:5000/api:1", &[]), vec![]);
    assert_eq!(hosts_to_probe(&c.ns.pods[0]), ["registry.local:5000"]);
    assert_eq!(c.run()[4].verdict, Unknown);
    let url = "https://registry.local:5000/v2/".to_owned();
    for (reach, verdict) in [
        (
            Reach::Answered {
                url: url.clone(),
                status: 401,
                millis: 3,
            },
            Pass,
        ),
        (
            Reach::Answered {
                url: url.clone(),
                status: 200,
                millis: 3,
            },
            Pass,
        ),
        (
            Reach::Answered {
                url: url.clone(),
                status: 404,
                millis: 3,
            },
            Fail,
        ),
        (
            Reach::Failed {
                url: url.clone(),
                error: "connection refused".into(),
            },
            Fail,
        ),
    ] {
        c.reach.insert("registry.local:5000".into(), reach);
        let five = &c.run()[4];
        assert_eq!(five.verdict, verdict, "{:?}", five.evidence);
        assert_eq!(five.evidence.last().unwrap(), checks::NODES_MAY_DIFFER);
        assert_eq!(five.fix.is_some(), verdict == Fail);
    }
}

#[test]
fn only_failing_containers_are_in_question() {
    let mut p = pod("api", &["nginx", "ghcr.io/a/b"], &[], PullState::Running);
    p.containers[1].state = PullState::ErrImagePull;
    assert_eq!(in_question(&p).len(), 1);
    assert_eq!(hosts_to_probe(&p), ["ghcr.io"]);
    assert!(is_failing(&p, &[]));
    assert_eq!(
        registry_api_base_of("docker.io"),
        "https://registry-1.docker.io"
    );
}

fn registry_api_base_of(host: &str) -> String {
    crate::domain::workloads::registry_api_base(host)
}

#[test]
fn an_expired_credential_fails_check_three_even_after_an_accepted_test() {
    use crate::domain::credential::Verdict as V;
    let mut c = tested(V::Accepted);
    c.ns.secrets[0]
        .valid_until
        .insert("ghcr.io".into(), NOW - 7200);
    let checks = c.run();
    assert_eq!(checks[2].verdict, Fail);
    assert!(
        checks[2]
            .evidence
            .iter()
            .any(|e| e == "Its credential expired 2h ago (valid until 2027-03-31 16:00 UTC)."),
        "{:?}",
        checks[2].evidence
    );
    assert!(checks[2]
        .fix
        .as_ref()
        .unwrap()
        .sentence
        .contains("wrong or expired"));
    // Still valid: the date is evidence, the test decides.
    let mut c = tested(V::Accepted);
    c.ns.secrets[0]
        .valid_until
        .insert("ghcr.io".into(), NOW + 3600);
    let checks = c.run();
    assert_eq!(checks[2].verdict, Pass);
    assert!(checks[2]
        .evidence
        .iter()
        .any(|e| e == "Its credential is valid until 2027-03-31 19:00 UTC."));
}
