//! Which ServiceAccounts a registry's pull Secret is attached to, in every
//! namespace the registry reaches. Kubernetes copies a ServiceAccount's
//! `imagePullSecrets` into a pod when the pod is created without its own, so
//! attaching the Secret to `default` makes every such pod pull with it.

use serde::{Deserialize, Serialize};

use crate::domain::names::validate_secret_name;

/// The most ServiceAccounts one registry may name.
pub const MAX_NAMED_ACCOUNTS: usize = 20;

/// The attachment setting of one registry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Attachment {
    /// Attached to no ServiceAccount: pods name the Secret themselves.
    #[default]
    None,
    /// The `default` ServiceAccount of each namespace.
    Default,
    /// These ServiceAccounts, in each namespace that has them.
    Named {
        /// ServiceAccount names.
        accounts: Vec<String>,
    },
    /// Every ServiceAccount of each namespace, including ones created later.
    All,
}

impl Attachment {
    /// Whether the registry is to be attached to ServiceAccount `account`.
    pub fn matches(&self, account: &str) -> bool {
        match self {
            Attachment::None => false,
            Attachment::Default => account == "default",
            Attachment::Named { accounts } => accounts.iter().any(|a| a == account),
            Attachment::All => true,
        }
    }

    /// Whether it attaches to anything at all.
    pub fn is_none(&self) -> bool {
        matches!(self, Attachment::None)
    }

    /// The ServiceAccounts that must exist in every namespace (the ones the
    /// setting names); `All` and `None` name none.
    pub fn required(&self) -> Vec<&str> {
        match self {
            Attachment::Default => vec!["default"],
            Attachment::Named { accounts } => accounts.iter().map(String::as_str).collect(),
            Attachment::None | Attachment::All => Vec::new(),
        }
    }

    /// One word for storage and forms: none, default, named, all.
    pub fn mode(&self) -> &'static str {
        match self {
            Attachment::None => "none",
            Attachment::Default => "default",
            Attachment::Named { .. } => "named",
            Attachment::All => "all",
        }
    }

    /// A phrase for pages and audit rows: "the default ServiceAccount".
    pub fn describe(&self) -> String {
        match self {
            Attachment::None => "no ServiceAccount".into(),
            Attachment::Default => "the default ServiceAccount".into(),
            Attachment::Named { accounts } => format!("ServiceAccounts {}", accounts.join(", ")),
            Attachment::All => "every ServiceAccount".into(),
        }
    }

    /// The setting for `mode` and a comma- or space-separated list of
    /// names (used only by `named`), checked: names are trimmed,
    /// de-duplicated and must be valid ServiceAccount names.
    pub fn parse(mode: &str, names: &str) -> Result<Attachment, String> {
        match mode {
            "" | "none" | "default" | "all" | "named" => Self::from_form(mode, names).checked(),
            other => Err(format!(
                "'{other}' is not an attachment setting: choose none, default, named or all."
            )),
        }
    }

    /// What a form's radio value and names field say, unchecked (the
    /// server checks with [`Attachment::checked`]); an unknown mode is none.
    pub fn from_form(mode: &str, names: &str) -> Attachment {
        match mode {
            "default" => Attachment::Default,
            "all" => Attachment::All,
            "named" => Attachment::Named {
                accounts: names
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
                    .collect(),
            },
            _ => Attachment::None,
        }
    }

    /// The same setting with named accounts validated and de-duplicated.
    pub fn checked(self) -> Result<Attachment, String> {
        let Attachment::Named { accounts } = self else {
            return Ok(self);
        };
        let mut seen: Vec<String> = Vec::new();
        for account in accounts {
            let account = account.trim().to_owned();
            validate_secret_name(&account)
                .map_err(|e| format!("ServiceAccount '{account}': {e}"))?;
            if !seen.contains(&account) {
                seen.push(account);
            }
        }
        if seen.is_empty() {
            return Err("Name at least one ServiceAccount, or choose another setting.".into());
        }
        if seen.len() > MAX_NAMED_ACCOUNTS {
            return Err(format!(
                "At most {MAX_NAMED_ACCOUNTS} ServiceAccounts can be named; choose 'every ServiceAccount' instead."
            ));
        }
        Ok(Attachment::Named { accounts: seen })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_setting_matches_its_accounts() {
        assert!(!Attachment::None.matches("default"));
        assert!(Attachment::Default.matches("default"));
        assert!(!Attachment::Default.matches("builder"));
        let named = Attachment::parse("named", "builder, deployer").unwrap();
        assert!(named.matches("deployer") && !named.matches("default"));
        assert!(Attachment::All.matches("anything"));
        assert_eq!(named.required(), ["builder", "deployer"]);
        assert!(Attachment::All.required().is_empty());
    }

    #[test]
    fn named_accounts_are_checked_and_deduplicated() {
        let named = Attachment::parse("named", " ci ci,deploy ").unwrap();
        assert_eq!(
            named,
            Attachment::Named {
                accounts: vec!["ci".into(), "deploy".into()]
            }
        );
        assert!(Attachment::parse("named", " , ")
            .unwrap_err()
            .contains("at least one"));
        assert!(Attachment::parse("named", "Bad_Name")
            .unwrap_err()
            .contains("'Bad_Name'"));
        assert!(Attachment::parse("some", "")
            .unwrap_err()
            .contains("'some'"));
        let many = (0..=MAX_NAMED_ACCOUNTS)
            .map(|i| format!("sa{i}"))
            .collect::<Vec<_>>();
        assert!(Attachment::parse("named", &many.join(",")).is_err());
    }

    #[test]
    fn the_wire_form_is_tagged_by_mode() {
        let named = Attachment::Named {
            accounts: vec!["ci".into()],
        };
        let json = serde_json::to_string(&named).unwrap();
        assert_eq!(json, r#"{"mode":"named","accounts":["ci"]}"#);
        assert_eq!(serde_json::from_str::<Attachment>(&json).unwrap(), named);
        assert_eq!(Attachment::default(), Attachment::None);
    }
}
