//! Small pieces shared by several pages: badges, error messages next to
//! fields, a confirmation panel, a hydration flag and the session helpers.

mod badges;
mod confirm;
mod errors;
mod field;
mod hydrated;
mod session;
mod table;
mod time;

pub use badges::{ScopeBadge, StateBadge, SyncSummaryView};
pub use confirm::ConfirmPanel;
pub use errors::{
    announce_success, failure, field_message, general_error, ErrorNotice, FieldError, FormErrors,
    LoadError, SignInAgain,
};
pub use field::{field_aria, AlsoDescribed, Field, InputField, TextAreaField};
pub use hydrated::use_hydrated;
pub use session::{encode_component, full_navigation, safe_next, UserResource};
pub use table::{Column, DataTable, EmptyState, SubmitButton};
pub use time::now_unix;
