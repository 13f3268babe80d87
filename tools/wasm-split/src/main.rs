//! Splits the app's WebAssembly module in two after wasm-bindgen: the *primary* module, which the
//! first page load downloads, and the *secondary* module, which holds what only the named exports
//! (the pages, the workers, the results files) reach. The secondary module imports the primary's
//! memory, tables, globals and the functions it shares with it, so the code both use (Yew, serde,
//! the core) is downloaded once.
//!
//! ```text
//! wasm-split ORIGINAL BINDGENED PRIMARY_OUT SECONDARY_OUT EXPORT[,EXPORT...]
//! ```
//!
//! - ORIGINAL: the module as rustc linked it, with `-C link-arg=--emit-relocs`: its relocations
//!   say which functions and data each function and each piece of data refers to, which the code
//!   alone does not (function pointers in vtables are numbers in memory).
//! - BINDGENED: the same module after wasm-bindgen, which is what is split; its functions are
//!   matched to the original's by name.
//! - EXPORT: the exports that are the secondary module's entry points.
//!
//! The primary module keeps everything reachable from its other exports. In it, each secondary
//! export becomes a stub that calls through a table slot the secondary module fills, and the table
//! slots of the functions that moved are empty until it does; the data only the secondary module
//! uses is zeroed (wasm-opt's memory packing then drops it) and written again by the secondary
//! module when it is instantiated. The JavaScript that loads the secondary module instantiates it
//! with `{ p: primaryExports }`.
//!
//! Calling a secondary export before the secondary module is instantiated traps.

use anyhow::{Context, Result, bail};
use std::collections::{HashMap, HashSet, VecDeque};
use walrus::ir::{self, Visitor};
use walrus::{
    ConstExpr, ElementItems, ExportItem, FunctionId, FunctionKind, GlobalId, GlobalKind, MemoryId,
    Module, TableId,
};

mod emit;
mod references;

use emit::{Plan, emit_primary, emit_secondary, function_table};
use references::{DataSymbol, Target, read_references};
/// The module the secondary module imports the primary's exports from.
const PRIMARY: &str = "p";

fn main() {
    if let Err(e) = run() {
        eprintln!("wasm-split: {e:#}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [original, bindgened, primary_out, secondary_out, exports] = args.as_slice() else {
        bail!("usage: wasm-split ORIGINAL BINDGENED PRIMARY_OUT SECONDARY_OUT EXPORT[,EXPORT...]");
    };
    let original = std::fs::read(original).with_context(|| format!("reading {original}"))?;
    let bindgened = std::fs::read(bindgened).with_context(|| format!("reading {bindgened}"))?;
    let exports: Vec<&str> = exports.split(',').filter(|e| !e.is_empty()).collect();
    let split = split(&original, &bindgened, &exports)?;
    std::fs::write(primary_out, &split.primary)
        .with_context(|| format!("writing {primary_out}"))?;
    std::fs::write(secondary_out, &split.secondary)
        .with_context(|| format!("writing {secondary_out}"))?;
    eprintln!("{}", split.summary);
    Ok(())
}

/// The two modules, and a line on what moved.
struct Split {
    primary: Vec<u8>,
    secondary: Vec<u8>,
    summary: String,
}

/// A node of the reference graph of the bindgened module.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Node {
    Func(FunctionId),
    Data(u32),
}

/// Collects the functions, globals, tables and memories an instruction refers to.
#[derive(Default)]
struct Uses {
    functions: Vec<FunctionId>,
    globals: Vec<GlobalId>,
    tables: Vec<TableId>,
    memories: Vec<MemoryId>,
    segments: usize,
}

impl<'a> Visitor<'a> for Uses {
    fn visit_function_id(&mut self, f: &FunctionId) {
        self.functions.push(*f);
    }
    fn visit_global_id(&mut self, g: &GlobalId) {
        self.globals.push(*g);
    }
    fn visit_table_id(&mut self, t: &TableId) {
        self.tables.push(*t);
    }
    fn visit_memory_id(&mut self, m: &MemoryId) {
        self.memories.push(*m);
    }
    fn visit_data_id(&mut self, _: &walrus::DataId) {
        self.segments += 1;
    }
    fn visit_element_id(&mut self, _: &walrus::ElementId) {
        self.segments += 1;
    }
}

fn uses(module: &Module, f: FunctionId) -> Uses {
    let mut uses = Uses::default();
    if let FunctionKind::Local(local) = &module.funcs.get(f).kind {
        ir::dfs_in_order(&mut uses, local, local.entry_block());
    }
    uses
}

pub(crate) fn parse(wasm: &[u8]) -> Result<Module> {
    let mut config = walrus::ModuleConfig::new();
    config.generate_producers_section(false);
    config.parse(wasm).context("parsing the bindgened module")
}

fn split(original: &[u8], bindgened: &[u8], secondary_exports: &[&str]) -> Result<Split> {
    let refs = read_references(original)?;
    let module = parse(bindgened)?;

    // The bindgened module's functions by name, and the original's functions onto them.
    // (wasm-bindgen demangles the names it keeps; a module it has not seen has rustc's.)
    let mut by_name: HashMap<String, Vec<FunctionId>> = HashMap::new();
    for f in module.funcs.iter() {
        if let Some(name) = &f.name {
            let name = rustc_demangle::demangle(name).to_string();
            by_name.entry(name).or_default().push(f.id());
        }
    }
    let mut original_of: HashMap<FunctionId, Vec<u32>> = HashMap::new();
    let mut unmatched = 0usize;
    // wasm-bindgen exports a function `f` that rustc linked as `f_` and a 16-digit hash.
    let bindgen_name = |name: &str| -> Option<String> {
        let (base, hash) = name.rsplit_once('_')?;
        (hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())).then(|| base.to_string())
    };
    for (index, name) in &refs.names {
        let ids = by_name
            .get(name.as_str())
            .or_else(|| bindgen_name(name).and_then(|n| by_name.get(n.as_str())));
        match ids {
            Some(ids) => {
                for id in ids {
                    original_of.entry(*id).or_default().push(*index);
                }
            }
            // wasm-bindgen's descriptors, which it runs and removes.
            None => unmatched += usize::from(refs.from_function.contains_key(index)),
        }
    }
    let bindgened_of = |index: u32| -> &[FunctionId] {
        refs.names
            .get(&index)
            .and_then(|n| {
                by_name
                    .get(n.as_str())
                    .or_else(|| bindgen_name(n).and_then(|n| by_name.get(n.as_str())))
            })
            .map(Vec::as_slice)
            .unwrap_or(&[])
    };
    let targets = |targets: Option<&Vec<Target>>, out: &mut Vec<Node>| {
        for t in targets.into_iter().flatten() {
            match *t {
                Target::Func(index) => {
                    out.extend(bindgened_of(index).iter().map(|&f| Node::Func(f)))
                }
                Target::Data(symbol) => out.push(Node::Data(symbol)),
            }
        }
    };
    let neighbours = |node: Node| -> Vec<Node> {
        let mut out = Vec::new();
        match node {
            Node::Func(f) => {
                out.extend(uses(&module, f).functions.into_iter().map(Node::Func));
                for index in original_of.get(&f).into_iter().flatten() {
                    targets(refs.from_function.get(index), &mut out);
                }
            }
            Node::Data(symbol) => targets(refs.from_data.get(&symbol), &mut out),
        }
        out
    };
    let reach = |roots: Vec<Node>, stop: &HashSet<Node>| -> HashSet<Node> {
        let mut seen: HashSet<Node> = HashSet::new();
        let mut queue: VecDeque<Node> = roots.into_iter().filter(|n| !stop.contains(n)).collect();
        while let Some(node) = queue.pop_front() {
            if !seen.insert(node) {
                continue;
            }
            for next in neighbours(node) {
                if !seen.contains(&next) && !stop.contains(&next) {
                    queue.push_back(next);
                }
            }
        }
        seen
    };

    // The roots: the exports, the start function, and what wasm-bindgen put in the tables
    // (functions the original does not have, so no relocation reaches them).
    let mut primary_roots = Vec::new();
    let mut secondary_roots = Vec::new();
    for export in module.exports.iter() {
        if let ExportItem::Function(f) = export.item {
            if secondary_exports.contains(&export.name.as_str()) {
                secondary_roots.push(Node::Func(f));
            } else {
                primary_roots.push(Node::Func(f));
            }
        }
    }
    for name in secondary_exports {
        if !module.exports.iter().any(|e| e.name == *name) {
            bail!("no export {name}");
        }
    }
    primary_roots.extend(module.start.map(Node::Func));
    for element in module.elements.iter() {
        if let ElementItems::Functions(fs) = &element.items {
            for f in fs {
                if !original_of.contains_key(f) {
                    primary_roots.push(Node::Func(*f));
                }
            }
        }
    }
    for global in module.globals.iter() {
        if let GlobalKind::Local(ConstExpr::RefFunc(f)) = global.kind {
            primary_roots.push(Node::Func(f));
        }
    }
    if let Ok(why) = std::env::var("WASM_SPLIT_WHY") {
        // Why the first load keeps a function: the path to the first function whose name has
        // `why`, from the primary's roots (for the work of moving more out of the first load).
        let mut parent: HashMap<Node, Node> = HashMap::new();
        let mut queue: VecDeque<Node> = primary_roots.iter().copied().collect();
        let mut seen: HashSet<Node> = primary_roots.iter().copied().collect();
        let describe = |n: Node| match n {
            Node::Func(f) => module.funcs.get(f).name.clone().unwrap_or_default(),
            Node::Data(s) => format!("data {s} {:?}", refs.data.get(&s)),
        };
        while let Some(node) = queue.pop_front() {
            if describe(node).contains(&why) {
                let mut at = node;
                loop {
                    eprintln!(
                        "  <- {}",
                        describe(at).chars().take(160).collect::<String>()
                    );
                    match parent.get(&at) {
                        Some(p) => at = *p,
                        None => break,
                    }
                }
                break;
            }
            for next in neighbours(node) {
                if seen.insert(next) {
                    parent.insert(next, node);
                    queue.push_back(next);
                }
            }
        }
    }
    let primary = reach(primary_roots, &HashSet::new());
    let secondary = reach(secondary_roots, &primary);
    let moved: HashSet<FunctionId> = secondary
        .iter()
        .filter_map(|n| {
            if let Node::Func(f) = n {
                Some(*f)
            } else {
                None
            }
        })
        .filter(|f| matches!(module.funcs.get(*f).kind, FunctionKind::Local(_)))
        .collect();
    // The bytes only the secondary module uses. Symbols may overlap (the linker merges equal
    // strings and a string with the end of a longer one), so what any data the primary reaches
    // covers stays, whichever symbol the secondary reached it by.
    let ranges = |set: &HashSet<Node>| -> Vec<(u32, u32)> {
        let mut r: Vec<(u32, u32)> = set
            .iter()
            .filter_map(|n| {
                if let Node::Data(s) = n {
                    refs.data.get(s)
                } else {
                    None
                }
            })
            .filter(|d| d.size > 0)
            .map(|d| (d.address, d.address + d.size))
            .collect();
        r.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::new();
        for (start, end) in r {
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        merged
    };
    let kept_data = ranges(&primary);
    let moved_data: Vec<DataSymbol> = subtract(&ranges(&secondary), &kept_data)
        .into_iter()
        .map(|(start, end)| DataSymbol {
            address: start,
            size: end - start,
        })
        .collect();

    // What the moved functions use that stays: the primary exports it.
    let mut needed_functions: HashSet<FunctionId> = HashSet::new();
    let mut needed_globals: HashSet<GlobalId> = HashSet::new();
    let mut needed_tables: HashSet<TableId> = HashSet::new();
    let mut needed_memories: HashSet<MemoryId> = HashSet::new();
    for &f in &moved {
        let u = uses(&module, f);
        if u.segments > 0 {
            bail!(
                "function {:?} uses a passive segment",
                module.funcs.get(f).name
            );
        }
        needed_functions.extend(u.functions.into_iter().filter(|g| !moved.contains(g)));
        needed_globals.extend(u.globals);
        needed_tables.extend(u.tables);
        needed_memories.extend(u.memories);
    }
    let function_table = function_table(&module)?;
    needed_tables.insert(function_table);
    needed_memories.extend(module.memories.iter().map(|m| m.id()));

    let mut stubs: Vec<(String, FunctionId)> = Vec::new();
    for export in module.exports.iter() {
        if let ExportItem::Function(f) = export.item
            && secondary_exports.contains(&export.name.as_str())
        {
            stubs.push((export.name.clone(), f));
        }
    }
    stubs.sort();
    let first_stub_slot = module.tables.get(function_table).initial;

    let kept: HashSet<usize> = primary
        .iter()
        .filter_map(|n| {
            if let Node::Func(f) = n {
                Some(f.index())
            } else {
                None
            }
        })
        .collect();
    let plan = Plan {
        kept,
        moved: moved.iter().map(|f| f.index()).collect(),
        moved_data: moved_data.clone(),
        kept_data: kept_data.clone(),
        stubs: stubs.iter().map(|(n, f)| (n.clone(), f.index())).collect(),
        first_stub_slot,
        functions: needed_functions.iter().map(|f| f.index()).collect(),
        globals: needed_globals.iter().map(|g| g.index()).collect(),
        tables: needed_tables.iter().map(|t| t.index()).collect(),
        memories: needed_memories.iter().map(|m| m.index()).collect(),
    };
    let primary_bytes = emit_primary(bindgened, &plan)?;
    let secondary_bytes = emit_secondary(bindgened, &plan)?;
    let summary = format!(
        "wasm-split: {} of {} functions and {} ranges of data ({} bytes) moved to the secondary module; \
         it imports {} functions, {} globals; {} original functions with relocations not found after wasm-bindgen",
        moved.len(),
        module.funcs.iter_local().count(),
        moved_data.len(),
        moved_data.iter().map(|d| d.size as u64).sum::<u64>(),
        needed_functions.len(),
        needed_globals.len(),
        unmatched,
    );
    Ok(Split {
        primary: primary_bytes,
        secondary: secondary_bytes,
        summary,
    })
}

/// The parts of the sorted, disjoint ranges `from` that no range of `minus` (sorted, disjoint)
/// covers.
pub(crate) fn subtract(from: &[(u32, u32)], minus: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for &(mut start, end) in from {
        let first = minus.partition_point(|&(_, e)| e <= start);
        for &(s, e) in &minus[first..] {
            if s >= end {
                break;
            }
            if s > start {
                out.push((start, s));
            }
            start = start.max(e);
        }
        if start < end {
            out.push((start, end));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::subtract;

    #[test]
    fn subtracting_ranges_leaves_what_none_covers() {
        assert_eq!(subtract(&[(0, 10)], &[]), vec![(0, 10)]);
        assert_eq!(
            subtract(&[(0, 10)], &[(2, 4), (6, 7)]),
            vec![(0, 2), (4, 6), (7, 10)]
        );
        assert_eq!(
            subtract(&[(0, 10), (20, 30)], &[(5, 25)]),
            vec![(0, 5), (25, 30)]
        );
        assert_eq!(subtract(&[(5, 8)], &[(0, 10)]), vec![]);
        assert_eq!(subtract(&[(5, 8)], &[(0, 5), (8, 9)]), vec![(5, 8)]);
    }
}
