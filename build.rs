//! Links the app's WebAssembly with its relocations (`--emit-relocs`), which the build's split
//! of the module into the first load and the pages' part reads to know what refers to what
//! (tools/wasm-split; scripts/build/postbuild.mjs). Only the app's binary, only for wasm32.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo::rustc-link-arg-bin=chokepoint=--emit-relocs");
    }
}
