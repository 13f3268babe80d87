//! The browser, behind one small interface: the address bar, history, the clock, randomness,
//! window events, local storage, timers, downloads, printing and a few DOM details. Each function has two
//! bodies: the browser's (`wasm32`) and a native stand-in for tests and the build-time render of
//! the first screen, where there is no browser (an empty address, no clock, no storage, no
//! events; a task runs at once). The rest of the shell calls these functions and has no
//! `cfg(target_arch)` switch of its own for them. Web Workers, the export of charts and the
//! pages' part have modules of their own: [`worker`], [`chart`] and [`pages`].

pub use imp::*;

pub mod chart;
pub mod pages;
pub mod worker;

/// `path` at the address of this build ([`crate::app::spawn::with_version`] with the version of
/// the page's [`crate::app::spawn::BUILD_META`] element, when it has one: a release build; not
/// the single-file build, which loads nothing by address, nor a development server).
pub fn versioned(path: &str) -> String {
    use crate::app::spawn::{BUILD_META, with_version};
    with_version(path, meta_content(BUILD_META).as_deref())
}

/// A local date and time from the browser's clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalTime {
    /// The year.
    pub year: u32,
    /// The month, 1-12.
    pub month: u32,
    /// The day of the month, 1-31.
    pub day: u32,
    /// The hour, 0-23.
    pub hour: u32,
    /// The minute, 0-59.
    pub minute: u32,
}

/// Why a download did not start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DownloadError {
    /// The browser could not make the file (`blob`) or the link to it (`link`).
    Failed(&'static str),
    /// There is no browser (native builds).
    NoBrowser,
}

impl std::fmt::Display for DownloadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DownloadError::Failed(what) => write!(f, "The download could not start ({what})."),
            DownloadError::NoBrowser => f.write_str("downloads need a browser"),
        }
    }
}

impl std::error::Error for DownloadError {}

/// Files can only be picked in a browser (the answer of the native [`take_picked_file`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoFiles;

impl std::fmt::Display for NoFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Files can only be opened in a browser.")
    }
}

impl std::error::Error for NoFiles {}

#[cfg(target_arch = "wasm32")]
mod imp {
    use super::{DownloadError, LocalTime, NoFiles};
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    /// A file the user picked ([`take_picked_file`]).
    pub struct PickedFile {
        /// The file's name.
        pub name: String,
        /// Its size in bytes.
        pub size: f64,
        /// The browser's handle, read by [`file_text`].
        handle: web_sys::File,
    }

    /// Removes its listener when dropped ([`window_listener`]).
    pub struct Listener {
        name: &'static str,
        closure: Option<Closure<dyn Fn(web_sys::Event)>>,
    }

    /// The location's fragment (`#/plan&p=…`), empty without one.
    pub fn hash() -> String {
        web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .unwrap_or_default()
    }

    /// Replaces the address's fragment with `hash` without a new history entry.
    pub fn replace_hash(hash: &str) {
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(hash));
        }
    }

    /// Goes to `hash` (a new history entry; the app's `hashchange` listener follows).
    pub fn set_hash(hash: &str) {
        if let Some(window) = web_sys::window() {
            let _ = window.location().set_hash(hash);
        }
    }

    /// The page's address without its fragment.
    pub fn page_address() -> String {
        let Some(location) = web_sys::window().map(|w| w.location()) else {
            return String::new();
        };
        format!(
            "{}{}",
            location.origin().unwrap_or_default(),
            location.pathname().unwrap_or_default()
        )
    }

    /// Sixteen random hexadecimal digits (not for secrets); `None` natively.
    pub fn random_id() -> Option<String> {
        let draw = || (js_sys::Math::random() * 4_294_967_296.0) as u64;
        Some(format!("{:08x}{:08x}", draw(), draw()))
    }

    /// The local date and time; `None` natively, where the shell has no clock.
    pub fn local_now() -> Option<LocalTime> {
        let now = js_sys::Date::new_0();
        Some(LocalTime {
            year: now.get_full_year(),
            month: now.get_month() + 1,
            day: now.get_date(),
            hour: now.get_hours(),
            minute: now.get_minutes(),
        })
    }

    /// Calls `handler` with every `name` event on the window until the returned value is dropped.
    pub fn window_listener(
        name: &'static str,
        handler: impl Fn(web_sys::Event) + 'static,
    ) -> Listener {
        let closure = Closure::<dyn Fn(web_sys::Event)>::new(handler);
        if let Some(window) = web_sys::window() {
            let _ = window.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
        }
        Listener {
            name,
            closure: Some(closure),
        }
    }

    impl Drop for Listener {
        fn drop(&mut self) {
            if let (Some(window), Some(closure)) = (web_sys::window(), self.closure.take()) {
                let _ = window.remove_event_listener_with_callback(
                    self.name,
                    closure.as_ref().unchecked_ref(),
                );
            }
        }
    }

    /// The key and new value of a `storage` event (`None` for the key: the whole storage was
    /// cleared); `None` for another kind of event.
    pub fn storage_change(event: &web_sys::Event) -> Option<(Option<String>, Option<String>)> {
        let event = event.dyn_ref::<web_sys::StorageEvent>()?;
        Some((event.key(), event.new_value()))
    }

    /// The browser's local storage, if the page may use it.
    pub fn local_storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok().flatten()
    }

    /// Whether there is a later task to draw in ([`after_this_task`] waits for it).
    pub const HAS_LATER: bool = true;

    /// Runs `then` in a later task (a zero-delay timeout), or at once when there is no timer.
    pub fn after_this_task(then: impl FnOnce() + 'static) {
        let callback = Closure::once_into_js(then);
        let scheduled = web_sys::window().and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), 0)
                .ok()
        });
        if scheduled.is_none() {
            // No timer (no window): run at once rather than never.
            let _ = callback
                .unchecked_ref::<js_sys::Function>()
                .call0(&wasm_bindgen::JsValue::NULL);
        }
    }

    /// Runs `job` in the browser's event loop.
    pub fn spawn(job: impl std::future::Future<Output = ()> + 'static) {
        wasm_bindgen_futures::spawn_local(job);
    }

    /// Offers `bytes` as a file named `name` of media type `mime`.
    pub fn download(name: &str, mime: &str, bytes: &[u8]) -> Result<(), DownloadError> {
        let fail = DownloadError::Failed;
        let array = js_sys::Uint8Array::from(bytes);
        let parts = js_sys::Array::of1(&array);
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(mime);
        let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
            .map_err(|_| fail("blob"))?;
        download_blob(name, &blob).map_err(|_| fail("link"))
    }

    /// Offers `blob` as a file named `name`.
    pub fn download_blob(name: &str, blob: &web_sys::Blob) -> Result<(), wasm_bindgen::JsValue> {
        use wasm_bindgen::JsCast;
        let url = web_sys::Url::create_object_url_with_blob(blob)?;
        let result = click_link(&url, name);
        // Revoke later: the download reads the blob after the click returns.
        let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        });
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                revoke.unchecked_ref(),
                10_000,
            );
        }
        result
    }

    /// Clicks a temporary `<a href=url download=name>`.
    pub fn click_link(url: &str, name: &str) -> Result<(), wasm_bindgen::JsValue> {
        use wasm_bindgen::JsCast;
        let document = web_sys::window()
            .and_then(|w| w.document())
            .ok_or_else(|| wasm_bindgen::JsValue::from_str("no document"))?;
        let link: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
        link.set_href(url);
        link.set_download(name);
        link.set_class_name("visually-hidden");
        let body = document.body().ok_or("no body")?;
        body.append_child(&link)?;
        link.click();
        body.remove_child(&link)?;
        Ok(())
    }

    /// Adds `classes` to the document's root element and sets its style `properties`
    /// (`("--accent", "#0af")`).
    pub fn style_root(classes: &[&str], properties: &[(&str, &str)]) {
        let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            return;
        };
        for class in classes {
            let _ = root.class_list().add_1(class);
        }
        let style = root.style();
        for (name, value) in properties {
            let _ = style.set_property(name, value);
        }
    }

    /// Posts `message` (as JSON-compatible values) to the parent window, restricted to
    /// `origin`. Returns whether it was posted (never when the page has no parent).
    pub fn post_to_parent(message: &impl serde::Serialize, origin: &str) -> bool {
        let Some(window) = web_sys::window() else {
            return false;
        };
        let Some(parent) = window.parent().ok().flatten() else {
            return false;
        };
        if parent == window {
            return false;
        }
        let serializer = serde_wasm_bindgen::Serializer::json_compatible();
        match message.serialize(&serializer) {
            Ok(value) => parent.post_message(&value, origin).is_ok(),
            Err(_) => false,
        }
    }

    /// Observes the height of the element `node` refers to: `report` gets it now and on every
    /// change, until the returned value is dropped.
    pub fn observe_height(node: &yew::NodeRef, report: impl Fn(f64) + 'static) -> Observer {
        let Some(element) = node.cast::<web_sys::Element>() else {
            return Observer(None, None);
        };
        let measure = {
            let element = element.clone();
            move || report(element.get_bounding_client_rect().height())
        };
        measure();
        let closure = Closure::<dyn FnMut()>::new(measure);
        let observer = web_sys::ResizeObserver::new(closure.as_ref().unchecked_ref()).ok();
        if let Some(observer) = &observer {
            observer.observe(&element);
        }
        Observer(observer, Some(closure))
    }

    /// Disconnects its resize observer when dropped ([`observe_height`]).
    pub struct Observer(
        Option<web_sys::ResizeObserver>,
        Option<Closure<dyn FnMut()>>,
    );

    impl Drop for Observer {
        fn drop(&mut self) {
            if let Some(observer) = self.0.take() {
                observer.disconnect();
            }
            // The callback lives as long as the observer, and goes with it.
            drop(self.1.take());
        }
    }

    /// The content of the page's `<meta name="{name}">`, if it has one.
    pub fn meta_content(name: &str) -> Option<String> {
        web_sys::window()?
            .document()?
            .query_selector(&format!("meta[name=\"{name}\"]"))
            .ok()??
            .get_attribute("content")
    }

    /// The first file picked in the `<input type="file">` that `event` came from (`None` when
    /// none was), emptying the input so that picking the same file again is a change.
    pub fn take_picked_file(event: &web_sys::Event) -> Result<Option<PickedFile>, NoFiles> {
        let Some(input) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return Ok(None);
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return Ok(None);
        };
        input.set_value("");
        Ok(Some(PickedFile {
            name: file.name(),
            size: file.size(),
            handle: file,
        }))
    }

    /// The text of `file`, or `None` when it cannot be read.
    pub async fn file_text(file: &PickedFile) -> Option<String> {
        wasm_bindgen_futures::JsFuture::from(file.handle.text())
            .await
            .ok()
            .and_then(|v| v.as_string())
    }

    /// The page's element with the id `id`, if there is one.
    pub fn element_by_id(id: &str) -> Option<web_sys::Element> {
        web_sys::window()?.document()?.get_element_by_id(id)
    }

    /// Removes the element with id `id`, if there is one.
    pub fn remove_element(id: &str) {
        if let Some(element) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
        {
            element.remove();
        }
    }

    /// Writes `message` to the console as an error.
    pub fn error(message: &str) {
        web_sys::console::error_1(&message.into());
    }

    /// Writes `message` to the console as a warning.
    pub fn warn(message: &str) {
        web_sys::console::warn_1(&message.into());
    }

    /// Opens the browser's print dialog.
    pub fn print() {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    }

    /// Watches an element until it first comes within `margin` of the viewport (a CSS margin
    /// around it: `"100% 0px"` is a screen above and below), then calls `then`, once. Dropping
    /// the watch stops it. `None` where the browser cannot watch.
    pub fn when_near_viewport(
        element: &web_sys::Element,
        margin: &str,
        then: impl FnOnce() + 'static,
    ) -> Option<NearViewport> {
        use wasm_bindgen::JsCast;
        let mut then = Some(then);
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            let near = entries.iter().any(|entry| {
                entry
                    .unchecked_into::<web_sys::IntersectionObserverEntry>()
                    .is_intersecting()
            });
            if near && let Some(then) = then.take() {
                then();
            }
        });
        let options = web_sys::IntersectionObserverInit::new();
        options.set_root_margin(margin);
        let observer = web_sys::IntersectionObserver::new_with_options(
            callback.as_ref().unchecked_ref(),
            &options,
        )
        .ok()?;
        observer.observe(element);
        Some(NearViewport {
            observer,
            _callback: callback,
        })
    }

    /// A watch of [`when_near_viewport`]: stops when dropped.
    pub struct NearViewport {
        observer: web_sys::IntersectionObserver,
        _callback: Closure<dyn FnMut(js_sys::Array)>,
    }

    impl Drop for NearViewport {
        fn drop(&mut self) {
            self.observer.disconnect();
        }
    }

    /// Scrolls the element `list` just enough to show its child `option` (both by id).
    pub fn scroll_into_list(list: &str, option: &str) {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let (Some(list), Some(option)) = (
            document.get_element_by_id(list),
            document
                .get_element_by_id(option)
                .and_then(|o| o.dyn_into::<web_sys::HtmlElement>().ok()),
        ) else {
            return;
        };
        let (top, height) = (option.offset_top(), option.offset_height());
        let (scroll, view) = (list.scroll_top(), list.client_height());
        if top < scroll {
            list.set_scroll_top(top);
        } else if top + height > scroll + view {
            list.set_scroll_top(top + height - view);
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use super::{DownloadError, LocalTime, NoFiles};

    /// A file the user picked (natively none is: [`take_picked_file`]).
    pub struct PickedFile {
        /// The file's name.
        pub name: String,
        /// Its size in bytes.
        pub size: f64,
    }

    /// A listener that never hears anything (there are no events natively).
    pub struct Listener;

    impl Drop for Listener {
        fn drop(&mut self) {}
    }

    /// No address natively: empty.
    pub fn hash() -> String {
        String::new()
    }

    /// No address natively: nothing to replace.
    pub fn replace_hash(_hash: &str) {}

    /// No address natively: nowhere to go.
    pub fn set_hash(_hash: &str) {}

    /// No address natively: empty.
    pub fn page_address() -> String {
        String::new()
    }

    /// No randomness in the native shell.
    pub fn random_id() -> Option<String> {
        None
    }

    /// No clock in the native shell.
    pub fn local_now() -> Option<LocalTime> {
        None
    }

    /// No events natively: the handler is never called.
    pub fn window_listener(
        _name: &'static str,
        _handler: impl Fn(web_sys::Event) + 'static,
    ) -> Listener {
        Listener
    }

    /// No storage events natively.
    pub fn storage_change(_event: &web_sys::Event) -> Option<(Option<String>, Option<String>)> {
        None
    }

    /// No storage natively.
    pub fn local_storage() -> Option<web_sys::Storage> {
        None
    }

    /// No later task natively (the build-time render of the first screen has none).
    pub const HAS_LATER: bool = false;

    /// No later task natively (the build-time render has no later): at once.
    pub fn after_this_task(then: impl FnOnce() + 'static) {
        then();
    }

    /// No event loop natively: the job is dropped (nothing downloads or loads).
    pub fn spawn(job: impl std::future::Future<Output = ()> + 'static) {
        drop(job);
    }

    /// No downloads natively.
    pub fn download(_name: &str, _mime: &str, _bytes: &[u8]) -> Result<(), DownloadError> {
        Err(DownloadError::NoBrowser)
    }

    /// No document natively.
    pub fn style_root(_classes: &[&str], _properties: &[(&str, &str)]) {}

    /// No parent window natively.
    pub fn post_to_parent(_message: &impl serde::Serialize, _origin: &str) -> bool {
        false
    }

    /// No layout natively: `report` is never called.
    pub fn observe_height(_node: &yew::NodeRef, _report: impl Fn(f64) + 'static) -> Observer {
        Observer
    }

    /// Observes nothing (natively).
    pub struct Observer;

    impl Drop for Observer {
        fn drop(&mut self) {}
    }

    /// No document natively: no meta element.
    pub fn meta_content(_name: &str) -> Option<String> {
        None
    }

    /// No files natively.
    pub fn take_picked_file(_event: &web_sys::Event) -> Result<Option<PickedFile>, NoFiles> {
        Err(NoFiles)
    }

    /// No files natively: nothing to read.
    pub async fn file_text(_file: &PickedFile) -> Option<String> {
        None
    }

    /// No document natively: no element.
    pub fn element_by_id(_id: &str) -> Option<web_sys::Element> {
        None
    }

    /// No document natively: nothing to remove.
    pub fn remove_element(_id: &str) {}

    /// No console natively: nothing is written.
    pub fn error(_message: &str) {}

    /// No console natively: nothing is written.
    pub fn warn(_message: &str) {}

    /// No print dialog natively.
    pub fn print() {}

    /// No viewport natively: nothing comes near it.
    pub fn when_near_viewport(
        _element: &web_sys::Element,
        _margin: &str,
        _then: impl FnOnce() + 'static,
    ) -> Option<NearViewport> {
        None
    }

    /// A watch of [`when_near_viewport`] (none natively).
    pub struct NearViewport;

    /// No layout natively.
    pub fn scroll_into_list(_list: &str, _option: &str) {}
}
