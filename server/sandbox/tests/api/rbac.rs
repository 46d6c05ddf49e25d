//! Authorization mode: bearer tokens, RBAC as kube-apiserver evaluates it, its 401 and
//! 403 bodies, the recorder of decisions, and SelfSubjectAccessReview.

use k8s_openapi::api::authorization::v1::SelfSubjectAccessReview;
use k8s_openapi::api::core::v1::{Namespace, Secret};
use k8s_openapi::api::rbac::v1::{ClusterRole, RoleBinding};
use kube::api::{Api, ListParams, PostParams};
use regboard_sandbox::{unused_grants, Authorization, Identity, Sandbox, SandboxOptions, Seed};
use serde_json::{json, Value};

use crate::{api_error, create_namespace, secret};

const SA: &str = "system:serviceaccount:regboard-system:regboard";
const TOKEN: &str = "regboard-token";

/// A sandbox with authorization on: `TOKEN` is the regboard ServiceAccount, `yaml`
/// holds the RBAC objects to start with.
async fn rbac_sandbox(yaml: &str) -> Sandbox {
    let auth = Authorization::rbac()
        .token(
            TOKEN,
            Identity::service_account("regboard-system", "regboard"),
        )
        .token("jane-token", Identity::user("jane", &["developers"]))
        .manifests_yaml(yaml)
        .expect("manifests parse");
    let opts =
        SandboxOptions::new("127.0.0.1:0".parse().unwrap(), Seed::Empty).with_authorization(auth);
    Sandbox::start(opts).await.expect("sandbox starts")
}

/// GET `path` with an optional bearer token: (code, body).
async fn get(sb: &Sandbox, token: Option<&str>, method: &str, path: &str) -> (u16, Value) {
    let client = reqwest::Client::new();
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = client.request(method, format!("{}{path}", sb.url()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let code = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    (code, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn forbidden(message: &str, details: Value) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
           "message": message, "reason": "Forbidden", "details": details, "code": 403})
}

const NAMESPACE_READER: &str = "
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: namespace-reader}
rules:
- apiGroups: ['']
  resources: [namespaces]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: regboard}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: namespace-reader}
subjects:
- {kind: ServiceAccount, name: regboard, namespace: regboard-system}
";

#[tokio::test]
async fn refusals_carry_kube_apiservers_status_body() {
    let sb = rbac_sandbox(NAMESPACE_READER).await;
    let token = Some(TOKEN);
    let user = format!("User {SA:?}");
    let cases = [
        ("GET", "/api/v1/secrets",
         format!("secrets is forbidden: {user} cannot list resource \"secrets\" in API group \"\" at the cluster scope"),
         json!({"kind": "secrets"})),
        ("GET", "/api/v1/namespaces/x/secrets",
         format!("secrets is forbidden: {user} cannot list resource \"secrets\" in API group \"\" in the namespace \"x\""),
         json!({"kind": "secrets"})),
        ("GET", "/api/v1/namespaces/x/secrets/n",
         format!("secrets \"n\" is forbidden: {user} cannot get resource \"secrets\" in API group \"\" in the namespace \"x\""),
         json!({"name": "n", "kind": "secrets"})),
        ("DELETE", "/apis/apps/v1/namespaces/x/deployments",
         format!("deployments.apps is forbidden: {user} cannot deletecollection resource \"deployments\" in API group \"apps\" in the namespace \"x\""),
         json!({"group": "apps", "kind": "deployments"})),
        ("PUT", "/api/v1/namespaces/x/pods/p/status",
         format!("pods \"p\" is forbidden: {user} cannot update resource \"pods/status\" in API group \"\" in the namespace \"x\""),
         json!({"name": "p", "kind": "pods"})),
        ("GET", "/metrics", format!("forbidden: {user} cannot get path \"/metrics\""), json!({})),
    ];
    for (method, path, message, details) in cases {
        let (code, body) = get(&sb, token, method, path).await;
        assert_eq!(
            (code, body),
            (403, forbidden(&message, details)),
            "{method} {path}"
        );
    }
    let (code, _) = get(&sb, token, "GET", "/api/v1/namespaces").await;
    assert_eq!(code, 200, "the granted list");
    let (code, _) = get(&sb, token, "GET", "/apis/apps/v1").await;
    assert_eq!(code, 200, "discovery is every authenticated identity's");
    let client = sb.client_as(TOKEN).unwrap();
    let (code, reason, message) = api_error(
        Api::<Secret>::all(client)
            .list(&ListParams::default())
            .await,
    );
    assert_eq!((code, reason.as_str()), (403, "Forbidden"));
    assert!(message.ends_with("at the cluster scope"), "{message}");
    sb.shutdown().await;
}

#[tokio::test]
async fn requests_without_a_known_token_are_401() {
    let sb = rbac_sandbox("").await;
    let unauthorized = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                              "message": "Unauthorized", "reason": "Unauthorized", "code": 401});
    for token in [None, Some("not-a-token")] {
        let (code, body) = get(&sb, token, "GET", "/api/v1/namespaces").await;
        assert_eq!((code, body), (401, unauthorized.clone()), "{token:?}");
    }
    let admin = sb.admin_token().expect("an admin token in RBAC mode");
    let (code, _) = get(&sb, Some(admin), "GET", "/api/v1/namespaces").await;
    assert_eq!(code, 200, "the admin is in system:masters");
    sb.shutdown().await;
}

const READER_IN_A: &str = "
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules:
- {apiGroups: [''], resources: [secrets], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: regboard-reads, namespace: a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects:
- {kind: ServiceAccount, name: regboard, namespace: regboard-system}
";

#[tokio::test]
async fn a_role_binding_to_a_cluster_role_grants_only_in_its_namespace() {
    let setup = format!("apiVersion: v1\nkind: Namespace\nmetadata: {{name: a}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: b}}\n---\n{READER_IN_A}");
    let sb = rbac_sandbox(&setup).await;
    let admin = sb.client().unwrap();
    for ns in ["a", "b"] {
        Api::<Secret>::namespaced(admin.clone(), ns)
            .create(
                &PostParams::default(),
                &secret("s", json!({}), json!({"k": "v"})),
            )
            .await
            .unwrap();
    }
    let client = sb.client_as(TOKEN).unwrap();
    let in_a: Api<Secret> = Api::namespaced(client.clone(), "a");
    assert_eq!(
        in_a.list(&ListParams::default()).await.unwrap().items.len(),
        1
    );
    assert!(in_a.get("s").await.is_ok());
    let (code, _, message) = api_error(
        Api::<Secret>::namespaced(client.clone(), "b")
            .get("s")
            .await,
    );
    assert_eq!(code, 403);
    assert!(
        message
            .ends_with("cannot get resource \"secrets\" in API group \"\" in the namespace \"b\""),
        "{message}"
    );
    let (code, _, _) = api_error(
        Api::<Secret>::all(client.clone())
            .list(&ListParams::default())
            .await,
    );
    assert_eq!(
        code, 403,
        "a namespace's binding does not reach the cluster scope"
    );
    let (code, _, _) = api_error(
        in_a.create(&PostParams::default(), &secret("t", json!({}), json!({})))
            .await,
    );
    assert_eq!(code, 403, "only the ClusterRole's verbs");
    sb.shutdown().await;
}

const NAMED_ONLY: &str = "
apiVersion: v1
kind: Namespace
metadata: {name: a}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: one-secret, namespace: a}
rules:
- {apiGroups: [''], resources: [secrets], resourceNames: [allowed], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: one-secret, namespace: a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: one-secret}
subjects:
- {kind: ServiceAccount, name: regboard, namespace: regboard-system}
";

#[tokio::test]
async fn resource_names_limit_a_rule_to_the_named_objects() {
    let sb = rbac_sandbox(NAMED_ONLY).await;
    let admin: Api<Secret> = Api::namespaced(sb.client().unwrap(), "a");
    for name in ["allowed", "other"] {
        admin
            .create(&PostParams::default(), &secret(name, json!({}), json!({})))
            .await
            .unwrap();
    }
    let secrets: Api<Secret> = Api::namespaced(sb.client_as(TOKEN).unwrap(), "a");
    assert!(secrets.get("allowed").await.is_ok());
    let (code, _, message) = api_error(secrets.get("other").await);
    assert_eq!(code, 403);
    assert!(
        message.starts_with("secrets \"other\" is forbidden"),
        "{message}"
    );
    let (code, _, _) = api_error(secrets.list(&ListParams::default()).await);
    assert_eq!(code, 403, "a list names no object");
    let pinned = secrets
        .list(&ListParams::default().fields("metadata.name=allowed"))
        .await
        .unwrap();
    assert_eq!(
        pinned.items.len(),
        1,
        "a list pinned to the name is a request for it"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn rbac_objects_written_through_the_api_take_effect_and_a_missing_role_is_named() {
    let sb = rbac_sandbox("").await;
    let admin = sb.client().unwrap();
    create_namespace(&admin, "a").await;
    let mine = sb.client_as(TOKEN).unwrap();
    let namespaces: Api<Namespace> = Api::all(mine.clone());
    assert_eq!(
        api_error(namespaces.list(&ListParams::default()).await).0,
        403
    );
    let binding: RoleBinding = serde_json::from_value(json!({
        "metadata": {"name": "dangling", "namespace": "a"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "ns-reader"},
        "subjects": [{"kind": "ServiceAccount", "name": "regboard", "namespace": "regboard-system"}]}))
    .unwrap();
    Api::<RoleBinding>::namespaced(admin.clone(), "a")
        .create(&PostParams::default(), &binding)
        .await
        .unwrap();
    let (code, _, message) = api_error(
        Api::<Secret>::namespaced(mine.clone(), "a")
            .list(&ListParams::default())
            .await,
    );
    assert_eq!(code, 403);
    assert!(
        message.ends_with("in the namespace \"a\": RBAC: clusterrole.rbac.authorization.k8s.io \"ns-reader\" not found"),
        "{message}"
    );
    let role: ClusterRole = serde_json::from_value(json!({"metadata": {"name": "ns-reader"},
        "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}]}))
    .unwrap();
    Api::<ClusterRole>::all(admin)
        .create(&PostParams::default(), &role)
        .await
        .unwrap();
    let listed = Api::<Secret>::namespaced(mine, "a")
        .list(&ListParams::default())
        .await
        .unwrap();
    assert!(
        listed.items.is_empty(),
        "the role, once it exists, grants the list"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn the_recorder_lists_what_an_identity_did_and_what_a_role_grants_unused() {
    let sb = rbac_sandbox(NAMESPACE_READER).await;
    let client = sb.client_as(TOKEN).unwrap();
    Api::<Namespace>::all(client.clone())
        .list(&ListParams::default())
        .await
        .unwrap();
    let _ = Api::<Secret>::namespaced(client, "x").get("n").await;
    let allowed: Vec<String> = sb
        .recorder()
        .allowed_for(SA)
        .iter()
        .map(|a| a.to_string())
        .collect();
    assert!(
        allowed.contains(&"list namespaces at the cluster scope".to_string()),
        "{allowed:?}"
    );
    let refused: Vec<String> = sb
        .recorder()
        .refused_for(SA)
        .iter()
        .map(|a| a.to_string())
        .collect();
    assert_eq!(refused, ["get secrets in x"]);
    let role: ClusterRole =
        serde_yaml_ng::from_str(NAMESPACE_READER.split("---").next().unwrap()).unwrap();
    let unused = unused_grants(&role.rules.unwrap(), &sb.recorder().allowed_for(SA));
    let unused: Vec<String> = unused.iter().map(|g| g.to_string()).collect();
    assert_eq!(unused, ["get namespaces in API group \"\""]);
    sb.shutdown().await;
}

#[tokio::test]
async fn self_subject_access_reviews_answer_with_the_same_rules() {
    let sb = rbac_sandbox(NAMESPACE_READER).await;
    let reviews: Api<SelfSubjectAccessReview> = Api::all(sb.client_as(TOKEN).unwrap());
    let ask = |verb: &str, resource: &str| -> SelfSubjectAccessReview {
        serde_json::from_value(
            json!({"spec": {"resourceAttributes": {"verb": verb, "resource": resource}}}),
        )
        .unwrap()
    };
    let yes = reviews
        .create(&PostParams::default(), &ask("list", "namespaces"))
        .await
        .unwrap();
    assert!(yes.status.unwrap().allowed);
    let no = reviews
        .create(&PostParams::default(), &ask("list", "secrets"))
        .await
        .unwrap();
    assert!(!no.status.unwrap().allowed);
    sb.shutdown().await;
}
