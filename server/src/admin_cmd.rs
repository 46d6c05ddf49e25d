//! `regboard admin create-user [--admin] NAME`: creates an account from the
//! command line, e.g. the first admin on a server nobody can reach yet.
//!
//! The password is never a flag (it would land in shell history and `ps`):
//! it is asked twice without echo on a terminal, or read as one line from
//! standard input otherwise (`printf '%s\n' "$PW" | regboard admin …`).

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use clap::{Args, Subcommand};
use regboard_app::context::Caller;
use regboard_app::domain::access::check_account_name;
use regboard_app::domain::secret::Password;
use regboard_app::AppError;
use serde_json::json;

use crate::access::store;
use crate::audit::{Actor, AuditLog, AuditTarget};
use crate::auth::{check_new_password, Passwords};
use crate::error::{Error, Result};

/// Flags of `regboard admin`.
#[derive(Debug, Clone, Args)]
pub struct AdminArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: AdminCommand,
    /// SQLite database file [default: <data dir>/regboard/regboard.db].
    #[arg(long, global = true, env = "REGBOARD_DATABASE", value_name = "FILE")]
    pub database: Option<PathBuf>,
}

/// The `admin` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum AdminCommand {
    /// Create a user; the password is read from the terminal or stdin.
    CreateUser {
        /// Make the user a global admin.
        #[arg(long)]
        admin: bool,
        /// The user name.
        name: String,
    },
}

/// Runs `regboard admin …`.
pub async fn run(args: AdminArgs) -> Result<()> {
    let AdminCommand::CreateUser { admin, name } = args.command;
    let name = name.trim().to_owned();
    check_account_name(&name)
        .map_err(|m| Error::Refused(format!("the user name is not valid. {m}")))?;
    let password = read_password()?;
    check_new_password(&name, &password, "password")
        .map_err(|e| Error::Refused(format!("the password is not accepted. {e}")))?;
    let database = match args.database {
        Some(path) => path,
        None => crate::db::default_path()?,
    };
    let db = crate::db::open(&database).await?;
    let audit = AuditLog::open(db.clone(), &AuditLog::key_path(&database)).await?;
    let hash = tokio::task::spawn_blocking(Passwords::new)
        .await
        .map_err(|e| Error::Cluster(format!("cannot prepare password hashing: {e}")))?
        .hash(&password)
        .await
        .map_err(|e| Error::Cluster(e.to_string()))?;
    let result = match store::insert_user(&db, &name, &hash, admin).await {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(AppError::Conflict(
            format!("a user named {name} already exists"),
        )),
        Err(e) => return Err(e.into()),
    };
    audit
        .record_result_as(
            Actor::System("system:cli".into()),
            &Caller::default(),
            "user.create",
            AuditTarget {
                kind: "user".into(),
                name: Some(name.clone()),
                ..Default::default()
            },
            &result,
            json!({ "name": name, "admin": admin, "via": "regboard admin create-user" }),
        )
        .await;
    db.close().await;
    result.map_err(|e| Error::Refused(e.to_string()))?;
    let role = if admin { "admin" } else { "user" };
    println!("created {role} {name}");
    Ok(())
}

/// The new password: asked twice on a terminal, else one line of stdin.
fn read_password() -> Result<Password> {
    let io = |e: std::io::Error| Error::Io {
        context: "cannot read the password".into(),
        source: e,
    };
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(io)?;
        let second = rpassword::prompt_password("Password again: ").map_err(io)?;
        if first != second {
            return Err(Error::Refused("the two passwords differ".into()));
        }
        return Ok(Password::new(first));
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(io)?;
    let password = Password::new(line.trim_end_matches(['\n', '\r']));
    line.clear();
    Ok(password)
}
