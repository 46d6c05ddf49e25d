//! Tests of [`super::ImageRef`], with cases from `distribution/reference`.

use super::*;
use proptest::prelude::*;

const HEX64: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn full(s: &str) -> String {
    ImageRef::parse(s).unwrap().to_string()
}

#[test]
fn normalises_like_docker() {
    assert_eq!(full("nginx"), "docker.io/library/nginx:latest");
    assert_eq!(full("nginx:1.25"), "docker.io/library/nginx:1.25");
    assert_eq!(full("user/app:v1"), "docker.io/user/app:v1");
    assert_eq!(full("docker.io/nginx"), "docker.io/library/nginx:latest");
    assert_eq!(
        full("index.docker.io/user/app"),
        "docker.io/user/app:latest"
    );
    assert_eq!(full("localhost/x"), "localhost/x:latest");
    assert_eq!(full("localhost:5000/x"), "localhost:5000/x:latest");
    assert_eq!(
        full("ghcr.io/o/r/deep/path:v_1.0-rc"),
        "ghcr.io/o/r/deep/path:v_1.0-rc"
    );
    assert_eq!(full("10.0.0.1:5000/a"), "10.0.0.1:5000/a:latest");
    assert_eq!(full("[::1]:5000/a"), "[::1]:5000/a:latest");
    assert_eq!(full("Foo/bar"), "Foo/bar:latest");
    assert_eq!(full("a__b/c-d--e.f_g"), "docker.io/a__b/c-d--e.f_g:latest");
}

#[test]
fn keeps_registry_port_and_digest() {
    let s = format!("registry.local:5000/a/b@sha256:{HEX64}");
    let r = ImageRef::parse(&s).unwrap();
    assert_eq!(r.registry(), "registry.local:5000");
    assert_eq!(r.repository(), "a/b");
    assert_eq!(r.tag(), None);
    assert_eq!(r.digest(), Some(format!("sha256:{HEX64}").as_str()));
    assert_eq!(r.to_string(), s);
    let both = ImageRef::parse(&format!("nginx:1@sha256:{HEX64}")).unwrap();
    assert_eq!(both.tag(), Some("1"));
    assert!(both.digest().is_some());
}

#[test]
fn rejects_bad_references() {
    use ImageRefError::*;
    let err = |s: &str| ImageRef::parse(s).unwrap_err();
    assert_eq!(err(""), Empty);
    assert_eq!(err(HEX64), ImageId(HEX64.into()));
    assert_eq!(err("NGINX"), Uppercase("NGINX".into()));
    assert_eq!(err("ghcr.io/Org/app"), Uppercase("Org/app".into()));
    for s in ["a//b", "/a", "a/", "docker.io/", ":tag", "ghcr.io//x"] {
        assert_eq!(err(s), EmptyComponent, "{s}");
    }
    for s in ["a..b", "a.-b", "-a", "a-", "a b", "a___b", "ä"] {
        assert!(matches!(err(s), BadComponent(_)), "{s}");
    }
    assert!(matches!(err("nginx:"), BadTag(_)));
    assert!(matches!(err("nginx:.x"), BadTag(_)));
    assert!(matches!(err("nginx:a/b"), BadRegistry(_)));
    assert!(matches!(err("nginx:a+b"), BadTag(_)));
    assert_eq!(err(&format!("nginx:{}", "a".repeat(129))), TagTooLong(129));
    assert!(ImageRef::parse(&format!("nginx:{}", "a".repeat(128))).is_ok());
    for d in [
        "sha256:abc",
        "sha256",
        &format!("sha256:{}", HEX64.to_uppercase()),
        "SHA256:x",
        "",
    ] {
        assert!(matches!(err(&format!("nginx@{d}")), BadDigest(_)), "{d}");
    }
    assert_eq!(
        err(&format!("nginx@md5:{HEX64}")),
        UnsupportedDigest("md5".into())
    );
    assert!(matches!(err("-bad.io/x"), BadRegistry(_)));
    assert!(matches!(err("bad.io:/x"), BadRegistry(_)));
    assert!(matches!(err("bad.io:po/x"), BadRegistry(_)));
    assert!(matches!(err("[::1/x"), BadRegistry(_)));
    let long = format!("r.io/{}", "a".repeat(251));
    assert_eq!(err(&long), TooLong(256));
}

#[test]
fn messages_read_well() {
    assert_eq!(
        ImageRefError::Uppercase("Org/app".into()).to_string(),
        "The repository name must be lowercase: 'Org/app'."
    );
    assert_eq!(
        ImageRefError::Empty.to_string(),
        "The image reference is empty."
    );
}

#[test]
fn matches_hosts_of_auths_keys() {
    let hub = ImageRef::parse("nginx").unwrap();
    assert!(hub.matches_host("https://index.docker.io/v1/"));
    assert!(hub.matches_host("docker.io"));
    assert!(!hub.matches_host("ghcr.io"));
    let local = ImageRef::parse("Registry.local:5000/a").unwrap();
    assert!(local.matches_host("https://registry.local:5000/v2/"));
}

#[test]
fn the_demo_seeds_images_read_as_kubelet_reads_them() {
    let checkout =
        ImageRef::parse("registry.payments.example.com/payments/checkout:1.4.2").unwrap();
    assert_eq!(checkout.registry(), "registry.payments.example.com");
    assert_eq!(checkout.repository(), "payments/checkout");
    assert!(checkout.served_by("registry.payments.example.com"));
    assert!(!checkout.served_by("ghcr.io"));
    let search = ImageRef::parse("ghcr.io/acme/search-api:2.4.0-rc1").unwrap();
    assert_eq!(search.tag(), Some("2.4.0-rc1"));
    assert!(search.served_by("https://ghcr.io/v2/"));
    assert!(search.served_by("ghcr.io/acme"));
    assert!(!search.served_by("ghcr.io/other"));
    let ingest = ImageRef::parse("nginx:1.27").unwrap();
    assert!(ingest.is_docker_official());
    assert!(ingest.served_by("https://index.docker.io/v1/"));
    assert!(!ImageRef::parse("user/app").unwrap().is_docker_official());
    // A single component means Docker Hub's library; a port means a registry.
    assert_eq!(full("app:v1"), "docker.io/library/app:v1");
    assert_eq!(full("localhost:5000/app:v1"), "localhost:5000/app:v1");
    assert!(ImageRef::parse("localhost:5000/app")
        .unwrap()
        .served_by("localhost:5000"));
    assert!(!ImageRef::parse("localhost:5000/app")
        .unwrap()
        .served_by("localhost"));
    assert_eq!(
        ImageRef::parse("App:v1").unwrap_err(),
        ImageRefError::Uppercase("App".into())
    );
}

#[test]
fn serde_uses_the_string_form() {
    let r: ImageRef = serde_json::from_str("\"nginx\"").unwrap();
    assert_eq!(
        serde_json::to_string(&r).unwrap(),
        "\"docker.io/library/nginx:latest\""
    );
    assert!(serde_json::from_str::<ImageRef>("\"A B\"").is_err());
    assert_eq!("nginx".parse::<ImageRef>(), Ok(r));
}

fn reference() -> impl Strategy<Value = String> {
    let registry = prop_oneof![
        Just(String::new()),
        Just("localhost/".to_owned()),
        Just("index.docker.io/".to_owned()),
        "[a-z0-9]{1,5}(\\.[a-z0-9]{1,4}){1,2}(:[0-9]{1,5})?/",
        "[A-Z][a-z]{0,3}/",
    ];
    // A first component with '.' would be read as a registry.
    let first = "[a-z0-9]{1,4}((_|__|-{1,2})[a-z0-9]{1,3}){0,2}";
    let component = "[a-z0-9]{1,4}(([._]|__|-{1,2})[a-z0-9]{1,3}){0,2}";
    let path = (first, prop::collection::vec(component, 0..3))
        .prop_map(|(f, rest)| std::iter::once(f).chain(rest).collect::<Vec<_>>().join("/"));
    let tag = prop::option::of("[A-Za-z0-9_][A-Za-z0-9_.-]{0,10}");
    let digest = prop::option::of("[0-9a-f]{64}");
    (registry, path, tag, digest).prop_map(|(r, p, t, d)| {
        let mut s = format!("{r}{p}");
        if let Some(t) = t {
            s = format!("{s}:{t}");
        }
        if let Some(d) = d {
            s = format!("{s}@sha256:{d}");
        }
        s
    })
}

proptest! {
    #[test]
    fn generated_references_parse_and_display_round_trips(s in reference()) {
        let r = ImageRef::parse(&s).unwrap();
        prop_assert_eq!(ImageRef::parse(&r.to_string()), Ok(r.clone()));
        prop_assert!(r.tag().is_some() || r.digest().is_some());
    }

    #[test]
    fn display_then_parse_is_identity(s in "[a-zA-Z0-9./:@_-]{0,40}") {
        if let Ok(r) = ImageRef::parse(&s) {
            prop_assert_eq!(ImageRef::parse(&r.to_string()), Ok(r.clone()));
        }
    }

    #[test]
    fn parse_never_panics(s in any::<String>()) {
        let _ = ImageRef::parse(&s);
    }
}
