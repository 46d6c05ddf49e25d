//! Registries: the service behind the registry server functions.
//!
//! ```text
//! server fn ─► KubeRegistries (RegistryService)
//!                ├─ validate (field messages)      validate.rs
//!                ├─ uniqueness + ownership checks  write.rs   (DESIGN rules 1–2)
//!                ├─ one write: a namespace Secret, or a project source Secret
//!                │     in the system namespace; the reconciler fans it out
//!                ├─ reads: list / detail / references  read.rs
//!                ├─ ServiceAccount attachment setting  attach.rs (crate::attach does the writes)
//!                ├─ credential tests (save, on demand, periodic)  credentials.rs → crate::credcheck
//!                ├─ PullSecretService (pull_secrets.rs): export  export.rs,
//!                │     unmanaged pull Secrets  unmanaged.rs, adopting one  adopt.rs
//!                ├─ preview of a change (dry run, the pure planners)  preview.rs
//!                ├─ credential rotation, its progress  rotate.rs (ChangeService: changes.rs)
//!                └─ audit event per outcome            audit hook in service.rs
//! ```

mod adopt;
mod attach;
mod changes;
mod credentials;
mod export;
pub mod objects;
pub(crate) mod preview;
mod pull_secrets;
mod read;
mod recover;
mod rotate;
mod service;
mod uniqueness;
mod unmanaged;
pub mod validate;
mod write;

pub use service::KubeRegistries;
