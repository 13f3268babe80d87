//! The splitter on a small module built here with rustc (wasm32, `--emit-relocs`), run in Node:
//! the two modules it makes compute what the whole module computes, the secondary export traps
//! until the secondary module is instantiated, and the code and text only the secondary export
//! uses are in the secondary module, not the primary.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Two exports: `first` stays in the primary module, `later` moves. Both go through a trait
/// object (function pointers in a vtable, which only the relocations reveal), share a function
/// and a mutable static, and each has its own text; the primary's text is the end of the
/// secondary's, which the linker may store once.
const FIXTURE: &str = r#"
#![no_std]
use core::sync::atomic::{AtomicU32, Ordering};

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

pub trait Shape {
    fn area(&self) -> u32;
    fn name(&self) -> &'static str;
}
struct Square(u32);
struct Later(u32);
impl Shape for Square {
    fn area(&self) -> u32 { common(self.0) * self.0 }
    fn name(&self) -> &'static str { "hydroxide" }
}
impl Shape for Later {
    fn area(&self) -> u32 { common(self.0) * 3 + 11 }
    fn name(&self) -> &'static str { "only the later export reads this: lithium hydroxide" }
}

static CALLS: AtomicU32 = AtomicU32::new(40);

#[inline(never)]
fn common(x: u32) -> u32 { x.wrapping_mul(7).wrapping_add(CALLS.fetch_add(1, Ordering::Relaxed)) }

#[inline(never)]
fn measure(shape: &dyn Shape) -> u32 {
    shape.area().wrapping_add(shape.name().bytes().map(u32::from).sum::<u32>())
}

#[no_mangle]
pub extern "C" fn first(x: u32) -> u32 { measure(core::hint::black_box(&Square(x))) }

#[no_mangle]
pub extern "C" fn later(x: u32) -> u32 { measure(core::hint::black_box(&Later(x))) }
"#;

const LATER_TEXT: &[u8] = b"only the later export reads this";

fn build(dir: &Path) -> PathBuf {
    let source = dir.join("fixture.rs");
    std::fs::write(&source, FIXTURE).expect("write the fixture");
    let wasm = dir.join("fixture.wasm");
    let status = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .args(["--edition", "2021", "--crate-type", "cdylib"])
        .args(["--target", "wasm32-unknown-unknown", "-C", "opt-level=s"])
        .args(["-C", "panic=abort", "-C", "link-arg=--emit-relocs", "-o"])
        .arg(&wasm)
        .arg(&source)
        .status()
        .expect("run rustc");
    assert!(status.success(), "rustc failed on the fixture");
    wasm
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Runs the whole module and the two halves in Node with the same calls; prints what each gave.
const RUN: &str = r#"
const fs = require('fs');
const [whole, primary, secondary] = process.argv.slice(1).map((f) => fs.readFileSync(f));
(async () => {
  const w = (await WebAssembly.instantiate(whole)).instance.exports;
  const p = (await WebAssembly.instantiate(primary)).instance.exports;
  const out = { whole: [], split: [] };
  out.whole.push(w.first(5));
  out.split.push(p.first(5));
  try {
    p.later(5);
    out.before = 'ran';
  } catch (e) {
    out.before = e.constructor.name;
  }
  await WebAssembly.instantiate(secondary, { p });
  out.whole.push(w.later(5), w.first(7), w.later(9));
  out.split.push(p.later(5), p.first(7), p.later(9));
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
"#;

#[test]
fn the_two_modules_compute_what_the_whole_computes_and_the_later_part_is_apart() {
    let dir = std::env::temp_dir().join(format!("wasm-split-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let wasm = build(&dir);
    let (primary, secondary) = (dir.join("primary.wasm"), dir.join("secondary.wasm"));
    let split = Command::new(env!("CARGO_BIN_EXE_wasm-split"))
        .args([&wasm, &wasm, &primary, &secondary])
        .arg("later")
        .output()
        .expect("run wasm-split");
    let said = String::from_utf8_lossy(&split.stderr);
    assert!(split.status.success(), "wasm-split failed: {said}");
    assert!(said.contains("moved to the secondary module"), "{said}");

    let run = Command::new("node")
        .args(["-e", RUN])
        .args([&wasm, &primary, &secondary])
        .output()
        .expect("run node");
    let printed = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let field = |name: &str| -> String {
        let at = printed.find(&format!("\"{name}\":")).expect(name) + name.len() + 3;
        let rest = &printed[at..];
        let end = if rest.starts_with('[') {
            rest.find(']').expect("array end") + 1
        } else {
            rest.find([',', '}']).expect("value end")
        };
        rest[..end].to_string()
    };
    assert_eq!(field("whole"), field("split"), "{printed}");
    assert_eq!(field("before"), "\"RuntimeError\"", "{printed}");

    let (primary, secondary) = (
        std::fs::read(primary).expect("primary"),
        std::fs::read(secondary).expect("secondary"),
    );
    assert!(
        contains(&std::fs::read(&wasm).expect("whole"), LATER_TEXT),
        "the fixture holds the text"
    );
    assert!(
        !contains(&primary, LATER_TEXT),
        "the primary module still holds the later export's text"
    );
    assert!(
        contains(&secondary, LATER_TEXT),
        "the secondary module writes the later export's text"
    );
    assert!(
        contains(&primary, b"hydroxide"),
        "the primary module keeps its own text"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
