use crate::helpers::spawn_app;

#[tokio::test]
async fn the_shell_is_server_rendered_with_navigation_and_hydration_scripts() {
    let app = spawn_app().await;
    let (status, html) = app.get("/").await;
    assert_eq!(status, 200);
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    for link in ["Registries", "Projects", "Namespaces", "Access", "Audit"] {
        assert!(
            html.contains(&format!(">{link}</a>")),
            "missing nav link {link}"
        );
    }
    assert!(
        html.contains("/pkg/regboard.js"),
        "hydration script missing"
    );
    assert!(html.contains("/pkg/regboard.css"), "stylesheet missing");
    assert!(html.contains(">sandbox</span>"), "cluster badge missing");
    assert!(
        html.contains("v1.33.0-sandbox"),
        "API server version missing"
    );
    assert!(
        html.contains("Sandbox cluster — nothing is written to a real cluster"),
        "sandbox banner missing"
    );
}

#[tokio::test]
async fn every_navigation_target_renders_its_own_content_for_a_signed_in_user() {
    let app = spawn_app().await;
    // Each page's heading, and something only that page shows once its data
    // (from the demo sandbox and the signed-in admin) has rendered.
    for (path, title, content) in [
        ("/registries", "Registries", r#"data-testid="add-registry""#),
        ("/projects", "Projects", "payments-dev"),
        ("/namespaces", "Namespaces", "search-dev"),
        ("/audit", "Audit", r#"data-testid="audit-filters""#),
        ("/access", "Access", r#"data-testid="account-name""#),
    ] {
        let (status, html) = app.get(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(html.contains(&format!(">{title}</h1>")), "{path}: heading");
        assert!(html.contains(content), "{path}: {content} missing");
    }
}

#[tokio::test]
async fn an_unknown_path_renders_the_404_page() {
    let app = spawn_app().await;
    let (status, html) = app.get("/no/such/page").await;
    assert_eq!(status, 404);
    assert!(html.contains("Page not found"));
}
