//! The embed widget's entry point (`embed.html`): a bundle of its own, so that embedding adds
//! nothing to the app's first page load. Built by Trunk with `wasm-bindgen --target web`.

#[cfg(target_arch = "wasm32")]
fn main() {
    chokepoint::app::components::embed::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("embed-widget runs in the browser (embed.html); natively, use `chokepoint`");
    std::process::exit(2);
}
