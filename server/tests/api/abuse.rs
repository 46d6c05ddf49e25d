//! Limits on what strangers can make regboard do: password checks per
//! account under parallel guessing, and the audit table under a flood of
//! huge typed names.

use regboard_app::context::{Caller, RequestSession};
use regboard_app::domain::secret::Password;
use regboard_app::services::AccessService;

use crate::helpers::{spawn_app, ADMIN};

/// The throttle's allowance per account (`ThrottleLimits::default`).
const ALLOWANCE: u64 = 5;

#[tokio::test]
async fn parallel_wrong_logins_for_one_account_run_at_most_the_allowance_of_password_checks() {
    let app = spawn_app().await;
    let before = app.access.passwords().checks();
    let attempts = (0..200).map(|_| app.try_login(ADMIN, "a wrong password guessed"));
    let answers = futures::future::join_all(attempts).await;
    let checks = app.access.passwords().checks() - before;
    eprintln!("password checks for 200 parallel wrong logins: {checks}");
    assert!(checks <= ALLOWANCE, "{checks} password checks ran");
    let refused = answers
        .iter()
        .filter(|(status, _, _)| *status == 429)
        .count();
    assert!(refused >= 195, "{refused} of 200 were throttled");
    assert!(answers.iter().all(|(s, _, _)| *s == 401 || *s == 429));
}

/// Bytes the text columns of the audit rows after `after` take.
async fn row_bytes(db: &sqlx::SqlitePool, after: i64) -> (i64, i64) {
    sqlx::query_as(
        "SELECT count(*), coalesce(max(length(CAST(actor_name AS BLOB)) + length(CAST(action AS BLOB)) \
         + coalesce(length(CAST(target_name AS BLOB)), 0) + length(CAST(details AS BLOB)) \
         + coalesce(length(CAST(untrusted_source_addr AS BLOB)), 0) + coalesce(length(CAST(untrusted_user_agent AS BLOB)), 0)), 0) \
         FROM audit_events WHERE id > ?",
    )
    .bind(after)
    .fetch_one(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_flood_of_wrong_setup_tokens_with_huge_names_grows_the_audit_table_by_a_capped_amount_per_row(
) {
    let app = spawn_app().await;
    let (last,): (i64,) = sqlx::query_as("SELECT coalesce(max(id), 0) FROM audit_events")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let size = |db: sqlx::SqlitePool| async move {
        let (pages, page): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT page_count FROM pragma_page_count), (SELECT page_size FROM pragma_page_size)",
        )
        .fetch_one(&db)
        .await
        .unwrap();
        pages * page
    };
    let start = size(app.db.clone()).await;
    let name = "n".repeat(1024 * 1024);
    let caller = Caller {
        user_agent: Some("u".repeat(1024 * 1024)),
        source_addr: Some("203.0.113.7".into()),
        ..Caller::default()
    };
    let password = Password::new("a long unusual phrase");
    for _ in 0..1000 {
        let refused = app
            .access
            .complete_setup(
                &caller,
                &RequestSession::default(),
                "wrong",
                &name,
                &password,
            )
            .await;
        assert!(refused.is_err());
    }
    let (rows, widest) = row_bytes(&app.db, last).await;
    let grown = size(app.db.clone()).await - start;
    eprintln!(
        "1000 wrong setups with 1 MiB names: {rows} rows, widest row {widest} text bytes, \
         database grew {grown} bytes ({} per row)",
        grown / rows.max(1)
    );
    assert_eq!(rows, 1000);
    assert!(widest <= 2048, "a row holds {widest} bytes of text");
    assert!(grown / rows <= 16 * 1024, "{grown} bytes for {rows} rows");
    let (name_kept,): (String,) = sqlx::query_as(
        "SELECT json_extract(details, '$.name') FROM audit_events WHERE id > ? LIMIT 1",
    )
    .bind(last)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        name_kept.len(),
        64,
        "only a prefix of the typed name is kept"
    );
}
