//! A registry save previewed first (issue 13, item 8), for the registry
//! form and the import page: nothing is written until the person has seen
//! what will be written where and confirmed it.
//!
//! ```text
//! submit ─► preview_registry_change(Create | Update)  (an import:
//!           preview_import_change, the create or edit it amounts to)
//!             ├─ a bad field or a refusal (name taken, no such namespace):
//!             │    the message beside its field, nothing to confirm
//!             └─ the preview (per namespace: create / update / unchanged /
//!                  collision, ServiceAccounts, pods) ─► Confirm
//!                    ─► create_registry | update_registry (tests the
//!                       credential; rejected: the warning and "Save anyway",
//!                       which is previewed again)
//!                    ─► the detail page
//! ```
//!
//! "Confirm" saves the submission the preview is of; the registry form
//! also disables its fields while the preview is open.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use super::detail_href;
use crate::api::changes::ChangePreview;
use crate::api::registries::RegistrySummary;
use crate::AppError;

/// What a preview answered: a preview, or an error.
type Previewed = Option<Result<ChangePreview, AppError>>;

/// The preview and the save of one submission of type `I` (the registry
/// form's input, or an import request).
pub(super) struct Review<I: 'static> {
    preview: Action<I, Result<ChangePreview, AppError>>,
    /// The submission the preview shown is of: what "Confirm" saves.
    asked: RwSignal<Option<I>>,
    save: Action<I, Result<RegistrySummary, AppError>>,
}

impl<I> Clone for Review<I> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I> Copy for Review<I> {}

impl<I: Clone + Send + Sync + 'static> Review<I> {
    /// The flow over `preview` and `save`; a save goes to the registry's
    /// detail page, and each refusal (the preview's or the save's) is
    /// passed to `on_refused` (the form clears the passwords typed).
    pub(super) fn new(
        preview: Action<I, Result<ChangePreview, AppError>>,
        save: Action<I, Result<RegistrySummary, AppError>>,
        on_refused: Callback<AppError>,
    ) -> Self {
        let review = Review {
            preview,
            asked: RwSignal::new(None),
            save,
        };
        let navigate = use_navigate();
        Effect::new(move |_| match save.value().get() {
            Some(Ok(saved)) => navigate(
                &detail_href(&saved.scope, &saved.name),
                NavigateOptions::default(),
            ),
            Some(Err(e)) => {
                review.close();
                on_refused.run(e);
            }
            None => {}
        });
        Effect::new(move |_| {
            if let Some(e) = review.refusal() {
                on_refused.run(e);
            }
        });
        review
    }

    /// Asks for the preview of saving `input`; earlier answers are cleared.
    pub(super) fn ask(&self, input: I) {
        self.save.value().set(None);
        self.preview.value().set(None);
        self.asked.set(Some(input.clone()));
        self.preview.dispatch(input);
    }

    /// Saves what the preview shown is of.
    pub(super) fn confirm(&self) {
        if let Some(input) = self.asked.get_untracked() {
            self.save.dispatch(input);
        }
    }

    /// Closes the preview; nothing is written.
    pub(super) fn close(&self) {
        self.preview.value().set(None);
        self.asked.set(None);
    }

    /// The preview's error, or the write's refusal it names.
    fn refusal(&self) -> Option<AppError> {
        match self.preview.value().get()? {
            Err(e) => Some(e),
            Ok(p) => p.refused,
        }
    }

    /// What to show beside the fields: the preview's refusal, else the save's error.
    pub(super) fn error(&self) -> Option<AppError> {
        self.refusal()
            .or_else(|| self.save.value().get().and_then(Result::err))
    }

    /// The preview to confirm: shown unless it refused.
    pub(super) fn shown(&self) -> Signal<Previewed> {
        let preview = self.preview;
        Signal::derive(move || {
            preview
                .value()
                .get()
                .filter(|r| matches!(r, Ok(p) if p.refused.is_none()))
        })
    }

    /// Whether a preview is open or on its way (the fields are disabled).
    pub(super) fn open(&self) -> Signal<bool> {
        let (preview, shown) = (self.preview, self.shown());
        Signal::derive(move || preview.pending().get() || shown.with(Option::is_some))
    }

    /// Whether the preview is loading.
    pub(super) fn loading(&self) -> Signal<bool> {
        self.preview.pending().into()
    }

    /// Whether the save is running.
    pub(super) fn saving(&self) -> Signal<bool> {
        self.save.pending().into()
    }
}
