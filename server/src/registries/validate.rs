//! Server-side validation of a registry form, field by field, with the
//! messages shown next to each field.

use regboard_app::domain::credential::expiry::{parse_valid_until, ECR_TOKEN_SECONDS};
use regboard_app::domain::docker_config::{validate_password, validate_username, HostEdit};
use regboard_app::domain::hosts::{is_ecr, same_registry, validate_server};
use regboard_app::domain::names::{
    validate_namespace_name, validate_project_name, validate_registry_name,
};
use regboard_app::domain::secret::Password;
use regboard_app::model::registries::{HostCredential, RegistryInput, Scope};
use regboard_app::AppError;

/// The most hosts one registry may hold.
pub const MAX_HOSTS: usize = 20;
/// The longest description accepted.
pub const MAX_DESCRIPTION: usize = 500;

/// A registry form that passed validation.
#[derive(Debug, Clone)]
pub struct Valid {
    /// The scope.
    pub scope: Scope,
    /// The registry (Secret) name.
    pub name: String,
    /// The host rows as they will be written (hosts trimmed and written as
    /// docker writes them), in the order given.
    pub hosts: Vec<ValidHost>,
    /// The description, trimmed.
    pub description: String,
}

/// One validated host row.
#[derive(Debug, Clone)]
pub struct ValidHost {
    /// The docker config entry to write (`password: None` on edit keeps it).
    pub edit: HostEdit,
    /// "Valid until", seconds since the Unix epoch.
    pub valid_until: Option<i64>,
}

impl Valid {
    /// The hosts.
    pub fn host_names(&self) -> Vec<String> {
        self.hosts.iter().map(|h| h.edit.host.clone()).collect()
    }

    /// The new passwords typed (to scrub from error messages).
    pub fn passwords(&self) -> Vec<&str> {
        self.hosts
            .iter()
            .filter_map(|h| h.edit.password.as_ref().map(Password::expose))
            .collect()
    }
}

/// A host's "valid until" as typed; when none is typed and the host is ECR
/// with a new token, twelve hours from `now` (an ECR token's life); else
/// none. The form's save and the rotation both decide it here.
pub fn new_valid_until(
    host: &str,
    typed: Option<&str>,
    new_password: bool,
    now: i64,
) -> Result<Option<i64>, String> {
    match typed.map(str::trim) {
        None | Some("") if is_ecr(host) && new_password => Ok(Some(now + ECR_TOKEN_SECONDS)),
        None | Some("") => Ok(None),
        Some(text) => parse_valid_until(text)
            .map(Some)
            .map_err(|e| format!("{host}: valid until: {e}")),
    }
}

/// The field the form shows a message of host row `i` beside.
pub fn host_field(i: usize) -> String {
    format!("host-{i}")
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field: Some(field.to_owned()),
        message: message.into(),
    }
}

/// Validates `input`; on edit an empty password means "keep the current one".
/// `now` (seconds since the epoch) dates an ECR token saved without a date.
pub fn validate(input: RegistryInput, editing: bool, now: i64) -> Result<Valid, AppError> {
    match &input.scope {
        Scope::Project { project } => {
            validate_project_name(project).map_err(|e| invalid("scope", format!("Project: {e}")))?
        }
        Scope::Namespace { namespace } => validate_namespace_name(namespace)
            .map_err(|e| invalid("scope", format!("Namespace: {e}")))?,
    }
    validate_registry_name(&input.name).map_err(|e| invalid("name", e.to_string()))?;
    let hosts = validate_hosts(input.credentials, editing, now)?;
    let description = input.description.trim().to_owned();
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(invalid(
            "description",
            format!("The description is longer than {MAX_DESCRIPTION} characters."),
        ));
    }
    if description.chars().any(|c| c.is_control() && c != '\n') {
        return Err(invalid(
            "description",
            "The description contains control characters.",
        ));
    }
    Ok(Valid {
        scope: input.scope,
        name: input.name,
        hosts,
        description,
    })
}

fn validate_hosts(
    rows: Vec<HostCredential>,
    editing: bool,
    now: i64,
) -> Result<Vec<ValidHost>, AppError> {
    let rows: Vec<HostCredential> = rows
        .into_iter()
        .filter(|r| !r.host.trim().is_empty())
        .collect();
    if rows.is_empty() {
        return Err(invalid("hosts", "Add at least one registry host."));
    }
    if rows.len() > MAX_HOSTS {
        return Err(invalid(
            "hosts",
            format!("A registry holds at most {MAX_HOSTS} hosts."),
        ));
    }
    let mut valid: Vec<ValidHost> = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        let row = validate_row(row, editing, now).map_err(|m| invalid(&host_field(i), m))?;
        if let Some(earlier) = valid
            .iter()
            .find(|h| same_registry(&h.edit.host, &row.edit.host))
        {
            return Err(invalid(
                &host_field(i),
                format!(
                    "{} and {} are the same registry; list it once.",
                    row.edit.host, earlier.edit.host
                ),
            ));
        }
        valid.push(row);
    }
    Ok(valid)
}

/// One row, or the sentence shown beside it (naming its host).
fn validate_row(row: HostCredential, editing: bool, now: i64) -> Result<ValidHost, String> {
    let typed = row.host.trim().to_owned();
    let host = validate_server(&typed).map_err(|e| format!("{typed}: {e}"))?;
    let username = row.username.trim().to_owned();
    validate_username(&username).map_err(|e| format!("{host}: {e}"))?;
    let password = if editing && row.password.is_empty() {
        None
    } else {
        validate_password(&row.password).map_err(|e| format!("{host}: {e}"))?;
        Some(row.password)
    };
    let email = match row.email.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(email) => Some(validate_email(email).map_err(|e| format!("{host}: {e}"))?),
    };
    let valid_until = new_valid_until(&host, row.valid_until.as_deref(), password.is_some(), now)?;
    Ok(ValidHost {
        edit: HostEdit {
            host,
            username,
            password,
            email,
        },
        valid_until,
    })
}

fn validate_email(email: &str) -> Result<String, &'static str> {
    let ok = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
    if ok {
        Ok(email.to_owned())
    } else {
        Err("enter an email address like name@example.com, or leave it empty.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_806_516_000;

    fn input() -> RegistryInput {
        let mut input = RegistryInput::same_login(
            Scope::Namespace {
                namespace: "team-a".into(),
            },
            "ghcr-pull",
            &["ghcr.io"],
            "bot",
            "s3cret-token",
        );
        input.test_credential = false;
        input
    }

    fn field_of(err: AppError) -> String {
        match err {
            AppError::Invalid { field, .. } => field.unwrap_or_default(),
            other => panic!("not invalid: {other:?}"),
        }
    }

    fn check(input: RegistryInput) -> Result<Valid, AppError> {
        validate(input, false, NOW)
    }

    #[test]
    fn a_good_form_passes() {
        let valid = check(input()).unwrap();
        assert_eq!(valid.host_names(), vec!["ghcr.io"]);
        assert!(valid.hosts[0].edit.password.is_some());
        assert_eq!(valid.hosts[0].valid_until, None);
    }

    #[test]
    fn each_bad_field_is_named() {
        let mut bad = input();
        bad.name = "Bad_Name".into();
        assert_eq!(field_of(check(bad).unwrap_err()), "name");
        let mut bad = input();
        bad.credentials
            .push(HostCredential::new("docker.io", "u", "p"));
        bad.credentials
            .push(HostCredential::new("https://index.docker.io/v1/", "u", "p"));
        // (Docker Hub written two ways is one registry.)
        assert_eq!(field_of(check(bad).unwrap_err()), "host-2");
        let mut bad = input();
        bad.credentials[0].host = " ".into();
        assert_eq!(field_of(check(bad).unwrap_err()), "hosts");
        let mut bad = input();
        bad.credentials[0].username = "a:b".into();
        assert_eq!(field_of(check(bad).unwrap_err()), "host-0");
        let mut bad = input();
        bad.credentials[0].password = Password::new("");
        assert_eq!(field_of(check(bad).unwrap_err()), "host-0");
        let mut bad = input();
        bad.credentials[0].email = Some("not an email".into());
        assert_eq!(field_of(check(bad).unwrap_err()), "host-0");
        let mut bad = input();
        bad.credentials[0].valid_until = Some("next week".into());
        assert_eq!(field_of(check(bad).unwrap_err()), "host-0");
        let mut bad = input();
        bad.scope = Scope::Project {
            project: "Payments".into(),
        };
        assert_eq!(field_of(check(bad).unwrap_err()), "scope");
    }

    #[test]
    fn docker_hub_is_written_as_docker_and_kubectl_write_it() {
        let mut hub = input();
        hub.credentials[0].host = "docker.io".into();
        assert_eq!(
            check(hub).unwrap().host_names(),
            vec!["https://index.docker.io/v1/"]
        );
    }

    #[test]
    fn an_empty_password_on_edit_keeps_the_current_one() {
        let mut edit = input();
        edit.credentials[0].password = Password::new("");
        assert!(validate(edit, true, NOW).unwrap().hosts[0]
            .edit
            .password
            .is_none());
    }

    #[test]
    fn an_ecr_token_is_valid_for_twelve_hours_from_its_save() {
        let mut ecr = input();
        ecr.credentials[0].host = "123456789012.dkr.ecr.eu-west-1.amazonaws.com".into();
        assert_eq!(
            check(ecr.clone()).unwrap().hosts[0].valid_until,
            Some(NOW + 12 * 3600)
        );
        // A date typed wins; an edit that keeps the token keeps no new date.
        ecr.credentials[0].valid_until = Some("2027-04-01".into());
        assert_eq!(
            check(ecr.clone()).unwrap().hosts[0].valid_until,
            Some(1_806_623_999)
        );
        ecr.credentials[0].valid_until = None;
        ecr.credentials[0].password = Password::new("");
        assert_eq!(validate(ecr, true, NOW).unwrap().hosts[0].valid_until, None);
    }

    #[test]
    fn messages_never_echo_the_password() {
        let mut bad = input();
        bad.credentials[0].username = "x:y".into();
        let text = check(bad).unwrap_err().to_string();
        assert!(!text.contains("s3cret-token"));
    }
}
