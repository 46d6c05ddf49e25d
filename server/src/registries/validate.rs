//! Server-side validation of a registry form, field by field, with the
//! messages shown next to each field.

use regboard_app::domain::docker_config::{validate_password, validate_username};
use regboard_app::domain::hosts::{same_registry, validate_server};
use regboard_app::domain::names::{
    validate_namespace_name, validate_project_name, validate_registry_name,
};
use regboard_app::domain::secret::Password;
use regboard_app::model::registries::{RegistryInput, Scope};
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
    /// Hosts as they will be written, trimmed and de-duplicated.
    pub hosts: Vec<String>,
    /// The username.
    pub username: String,
    /// The new password; `None` on edit keeps the current one.
    pub password: Option<Password>,
    /// The email, if any.
    pub email: Option<String>,
    /// The description, trimmed.
    pub description: String,
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field: Some(field.to_owned()),
        message: message.into(),
    }
}

/// Validates `input`; on edit an empty password means "keep the current one".
pub fn validate(input: RegistryInput, editing: bool) -> Result<Valid, AppError> {
    match &input.scope {
        Scope::Project { project } => {
            validate_project_name(project).map_err(|e| invalid("scope", format!("Project: {e}")))?
        }
        Scope::Namespace { namespace } => validate_namespace_name(namespace)
            .map_err(|e| invalid("scope", format!("Namespace: {e}")))?,
    }
    validate_registry_name(&input.name).map_err(|e| invalid("name", e.to_string()))?;
    let hosts = validate_hosts(&input.hosts)?;
    let username = input.username.trim().to_owned();
    validate_username(&username).map_err(|e| invalid("username", e.to_string()))?;
    let password = if editing && input.password.is_empty() {
        None
    } else {
        validate_password(&input.password).map_err(|e| invalid("password", e.to_string()))?;
        Some(input.password)
    };
    let email = match input.email.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(email) => Some(validate_email(email)?.to_owned()),
    };
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
        username,
        password,
        email,
        description,
    })
}

fn validate_hosts(hosts: &[String]) -> Result<Vec<String>, AppError> {
    let hosts: Vec<String> = hosts
        .iter()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .collect();
    if hosts.is_empty() {
        return Err(invalid("hosts", "Add at least one registry host."));
    }
    if hosts.len() > MAX_HOSTS {
        return Err(invalid(
            "hosts",
            format!("A registry holds at most {MAX_HOSTS} hosts."),
        ));
    }
    let hosts: Vec<String> = hosts
        .iter()
        .map(|host| validate_server(host).map_err(|e| invalid("hosts", format!("{host}: {e}"))))
        .collect::<Result<_, _>>()?;
    for (i, host) in hosts.iter().enumerate() {
        if let Some(earlier) = hosts[..i].iter().find(|h| same_registry(h, host)) {
            return Err(invalid(
                "hosts",
                format!("{host} and {earlier} are the same registry; list it once."),
            ));
        }
    }
    Ok(hosts)
}

fn validate_email(email: &str) -> Result<&str, AppError> {
    let ok = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
    if ok {
        Ok(email)
    } else {
        Err(invalid(
            "email",
            "Enter an email address like name@example.com, or leave it empty.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> RegistryInput {
        RegistryInput {
            scope: Scope::Namespace {
                namespace: "team-a".into(),
            },
            name: "ghcr-pull".into(),
            hosts: vec!["ghcr.io".into()],
            username: "bot".into(),
            password: Password::new("s3cret-token"),
            email: None,
            description: String::new(),
            attachment: Default::default(),
            test_credential: false,
        }
    }

    fn field_of(err: AppError) -> String {
        match err {
            AppError::Invalid { field, .. } => field.unwrap_or_default(),
            other => panic!("not invalid: {other:?}"),
        }
    }

    #[test]
    fn a_good_form_passes() {
        let valid = validate(input(), false).unwrap();
        assert_eq!(valid.hosts, vec!["ghcr.io"]);
        assert!(valid.password.is_some());
    }

    #[test]
    fn each_bad_field_is_named() {
        let mut bad = input();
        bad.name = "Bad_Name".into();
        assert_eq!(field_of(validate(bad, false).unwrap_err()), "name");
        let mut bad = input();
        bad.hosts = vec!["docker.io".into(), "https://index.docker.io/v1/".into()];
        // (Docker Hub written two ways is one registry.)
        assert_eq!(field_of(validate(bad, false).unwrap_err()), "hosts");
        let mut bad = input();
        bad.hosts = vec![" ".into()];
        assert_eq!(field_of(validate(bad, false).unwrap_err()), "hosts");
        let mut bad = input();
        bad.username = "a:b".into();
        assert_eq!(field_of(validate(bad, false).unwrap_err()), "username");
        let mut bad = input();
        bad.password = Password::new("");
        assert_eq!(field_of(validate(bad, false).unwrap_err()), "password");
        let mut bad = input();
        bad.email = Some("not an email".into());
        assert_eq!(field_of(validate(bad, false).unwrap_err()), "email");
        let mut bad = input();
        bad.scope = Scope::Project {
            project: "Payments".into(),
        };
        assert_eq!(field_of(validate(bad, false).unwrap_err()), "scope");
    }

    #[test]
    fn docker_hub_is_written_as_docker_and_kubectl_write_it() {
        let mut hub = input();
        hub.hosts = vec!["docker.io".into()];
        assert_eq!(
            validate(hub, false).unwrap().hosts,
            vec!["https://index.docker.io/v1/"]
        );
    }

    #[test]
    fn an_empty_password_on_edit_keeps_the_current_one() {
        let mut edit = input();
        edit.password = Password::new("");
        assert!(validate(edit, true).unwrap().password.is_none());
    }

    #[test]
    fn messages_never_echo_the_password() {
        let mut bad = input();
        bad.username = "x:y".into();
        let text = validate(bad, false).unwrap_err().to_string();
        assert!(!text.contains("s3cret-token"));
    }
}
