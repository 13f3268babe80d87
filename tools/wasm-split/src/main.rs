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
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::ops::Range;
use walrus::ir::{self, Visitor};
use walrus::{
    ConstExpr, DataKind, ElementItems, ElementKind, ExportItem, FunctionBuilder, FunctionId,
    FunctionKind, GlobalId, GlobalKind, ImportKind, MemoryId, Module, TableId,
};

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

/// What a relocation points at in the original module.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Target {
    /// A function, by its index in the original module.
    Func(u32),
    /// A defined data symbol, by its index in the symbol table.
    Data(u32),
}

/// A data symbol's place in memory.
#[derive(Clone, Copy, Debug)]
struct DataSymbol {
    address: u32,
    size: u32,
}

/// What the original module's relocations say.
#[derive(Default)]
struct References {
    /// Function names, by the original's function index.
    names: HashMap<u32, String>,
    /// What each function refers to, by the original's function index.
    from_function: HashMap<u32, Vec<Target>>,
    /// What each data symbol refers to.
    from_data: HashMap<u32, Vec<Target>>,
    /// The defined data symbols.
    data: BTreeMap<u32, DataSymbol>,
}

fn read_references(wasm: &[u8]) -> Result<References> {
    use wasmparser::{
        BinaryReader, KnownCustom, Linking, LinkingSectionReader, Name, Parser, Payload,
        RelocSectionReader, RelocationType, SymbolInfo,
    };
    let mut refs = References::default();
    let mut imported_functions = 0u32;
    let mut bodies: Vec<Range<usize>> = Vec::new();
    let mut code_start = 0usize;
    let mut data_start = 0usize;
    // (base address, file offset of the bytes, length)
    let mut segments: Vec<(u32, usize, usize)> = Vec::new();
    let mut symbols: Vec<Option<Target>> = Vec::new();
    let mut symbol_data: Vec<(u32, wasmparser::DefinedDataSymbol)> = Vec::new();
    let mut relocs: Vec<(String, Vec<(u32, u32)>)> = Vec::new();

    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    if matches!(import?.ty, wasmparser::TypeRef::Func(_)) {
                        imported_functions += 1;
                    }
                }
            }
            Payload::CodeSectionStart { range, .. } => code_start = range.start,
            Payload::CodeSectionEntry(body) => bodies.push(body.range()),
            Payload::DataSection(reader) => {
                data_start = reader.range().start;
                for data in reader {
                    let data = data?;
                    let base = match data.kind {
                        wasmparser::DataKind::Active { offset_expr, .. } => {
                            match offset_expr.get_operators_reader().read()? {
                                wasmparser::Operator::I32Const { value } => value as u32,
                                other => bail!("a data segment at {other:?}"),
                            }
                        }
                        wasmparser::DataKind::Passive => bail!("a passive data segment"),
                    };
                    let at = data.data.as_ptr() as usize - wasm.as_ptr() as usize;
                    segments.push((base, at, data.data.len()));
                }
            }
            Payload::CustomSection(section) => match section.as_known() {
                KnownCustom::Name(reader) => {
                    for name in reader {
                        if let Name::Function(map) = name? {
                            for naming in map {
                                let naming = naming?;
                                // wasm-bindgen demangles the names it keeps.
                                let name = rustc_demangle::demangle(naming.name).to_string();
                                refs.names.insert(naming.index, name);
                            }
                        }
                    }
                }
                KnownCustom::Linking(reader) => {
                    read_symbols(reader, &mut symbols, &mut symbol_data)?
                }
                KnownCustom::Reloc(reader) => {
                    let entries = reader
                        .entries()
                        .into_iter()
                        .collect::<Result<Vec<_>, _>>()?
                        .into_iter()
                        // A type index relocation (call_indirect's) holds a type, and the offset
                        // ones are debugging information's: no symbol.
                        .filter(|e| {
                            !matches!(
                                e.ty,
                                RelocationType::TypeIndexLeb
                                    | RelocationType::FunctionOffsetI32
                                    | RelocationType::FunctionOffsetI64
                                    | RelocationType::SectionOffsetI32
                            )
                        })
                        .map(|e| (e.offset, e.index))
                        .collect();
                    relocs.push((section.name().to_string(), entries));
                }
                _ => {}
            },
            _ => {}
        }
    }
    fn read_symbols(
        reader: LinkingSectionReader<'_>,
        symbols: &mut Vec<Option<Target>>,
        data: &mut Vec<(u32, wasmparser::DefinedDataSymbol)>,
    ) -> Result<()> {
        for sub in reader.subsections() {
            if let Linking::SymbolTable(table) = sub? {
                for (i, symbol) in table.into_iter().enumerate() {
                    let target = match symbol? {
                        SymbolInfo::Func { index, .. } => Some(Target::Func(index)),
                        SymbolInfo::Data {
                            symbol: Some(defined),
                            ..
                        } => {
                            data.push((i as u32, defined));
                            Some(Target::Data(i as u32))
                        }
                        _ => None,
                    };
                    symbols.push(target);
                }
            }
        }
        Ok(())
    }
    let _ = (BinaryReader::new, RelocSectionReader::new);
    if symbols.is_empty() || relocs.is_empty() {
        bail!("the original module has no relocations: link it with -C link-arg=--emit-relocs");
    }
    for (symbol, defined) in symbol_data {
        let Some(&(base, _, _)) = segments.get(defined.index as usize) else {
            bail!(
                "data symbol {symbol} in segment {} of {}",
                defined.index,
                segments.len()
            );
        };
        refs.data.insert(
            symbol,
            DataSymbol {
                address: base + defined.offset,
                size: defined.size,
            },
        );
    }
    // Data symbols by address, to find which one a data relocation lies in.
    let mut by_address: Vec<(u32, u32, u32)> = refs
        .data
        .iter()
        .map(|(s, d)| (d.address, d.address + d.size, *s))
        .collect();
    by_address.sort();
    // Every symbol a data relocation lies in: aliases (several symbols at one address) each get
    // its references, since code may name any of them.
    let symbols_at = |address: u32| -> Vec<u32> {
        let i = by_address.partition_point(|&(start, _, _)| start <= address);
        by_address[..i]
            .iter()
            .rev()
            .take(32)
            .filter(|&&(start, end, _)| start <= address && address < end)
            .map(|&(_, _, s)| s)
            .collect()
    };
    for (name, entries) in relocs {
        for (offset, index) in entries {
            let Some(Some(target)) = symbols.get(index as usize).copied() else {
                continue;
            };
            if name == "reloc.CODE" {
                let at = code_start + offset as usize;
                let i = bodies.partition_point(|b| b.start <= at);
                if i == 0 {
                    continue;
                }
                let function = imported_functions + (i - 1) as u32;
                refs.from_function.entry(function).or_default().push(target);
            } else if name == "reloc.DATA" {
                let at = data_start + offset as usize;
                let Some(&(base, start, _)) = segments
                    .iter()
                    .find(|&&(_, start, len)| start <= at && at < start + len)
                else {
                    continue;
                };
                let address = base + (at - start) as u32;
                for symbol in symbols_at(address) {
                    refs.from_data.entry(symbol).or_default().push(target);
                }
            }
        }
    }
    Ok(refs)
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

fn parse(wasm: &[u8]) -> Result<Module> {
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
        if let ExportItem::Function(f) = export.item {
            if secondary_exports.contains(&export.name.as_str()) {
                stubs.push((export.name.clone(), f));
            }
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
fn subtract(from: &[(u32, u32)], minus: &[(u32, u32)]) -> Vec<(u32, u32)> {
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

/// What moves, by the index of each item in the bindgened module (the same in every parse of it).
struct Plan {
    /// The functions the primary module keeps: what its roots reach.
    kept: HashSet<usize>,
    /// The functions the secondary module has: what its roots reach and the primary's do not.
    moved: HashSet<usize>,
    moved_data: Vec<DataSymbol>,
    /// The memory the primary's roots reach: sorted, disjoint ranges.
    kept_data: Vec<(u32, u32)>,
    /// The secondary exports, and the functions they export.
    stubs: Vec<(String, usize)>,
    /// The table slot of the first stub; the others follow.
    first_stub_slot: u64,
    /// What the moved functions use that stays: the primary exports it, the secondary imports it.
    functions: HashSet<usize>,
    globals: HashSet<usize>,
    tables: HashSet<usize>,
    memories: HashSet<usize>,
}

/// The export names the secondary module imports by (short: there are many).
fn function_name(index: usize) -> String {
    short(index)
}
fn global_name(index: usize) -> String {
    format!("g{}", short(index))
}
fn table_name(index: usize) -> String {
    format!("t{}", short(index))
}
fn memory_name(index: usize) -> String {
    format!("m{}", short(index))
}

/// `index` in base 62: hundreds of functions are exported under these names, and each name is in
/// both modules.
fn short(mut index: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[index % DIGITS.len()]);
        index /= DIGITS.len();
        if index == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Adds an active segment that puts `functions` into `table` from slot `start`.
fn add_segment(module: &mut Module, table: TableId, start: u32, functions: Vec<FunctionId>) {
    let offset = ConstExpr::Value(ir::Value::I32(start as i32));
    let id = module.elements.add(
        ElementKind::Active { table, offset },
        ElementItems::Functions(functions),
    );
    module.tables.get_mut(table).elem_segments.insert(id);
}

/// The table rustc's function pointers index: the one the active element segments fill.
fn function_table(module: &Module) -> Result<TableId> {
    let mut tables = module.elements.iter().filter_map(|e| match e.kind {
        ElementKind::Active { table, .. } => Some(table),
        _ => None,
    });
    let Some(first) = tables.next() else {
        bail!("no active element segment")
    };
    if tables.any(|t| t != first) {
        bail!("active element segments in more than one table");
    }
    Ok(first)
}

fn address_of(offset: &ConstExpr) -> Result<u32> {
    match offset {
        ConstExpr::Value(ir::Value::I32(v)) => Ok(*v as u32),
        other => bail!("a segment at {other:?}"),
    }
}

/// The ids of one parse of the bindgened module, by index.
struct Ids {
    functions: HashMap<usize, FunctionId>,
}

impl Ids {
    fn of(module: &Module) -> Ids {
        Ids {
            functions: module
                .funcs
                .iter()
                .map(|f| (f.id().index(), f.id()))
                .collect(),
        }
    }
    fn function(&self, index: usize) -> Result<FunctionId> {
        self.functions
            .get(&index)
            .copied()
            .with_context(|| format!("function {index}"))
    }
}

/// Drops the custom sections: the relocations and the linking section describe the module as
/// rustc linked it, not the split one (and binaryen does not optimise a module that has them).
fn strip(module: &mut Module) {
    let names: Vec<String> = module
        .customs
        .iter()
        .map(|(_, c)| c.name().to_string())
        .collect();
    for name in names {
        module.customs.remove_raw(&name);
    }
}

fn emit_primary(bindgened: &[u8], plan: &Plan) -> Result<Vec<u8>> {
    let mut module = parse(bindgened)?;
    strip(&mut module);
    let ids = Ids::of(&module);
    // Every local function the primary's roots do not reach goes: the moved ones, and those no
    // root reaches (the linker keeps a function whose address is taken even where nothing uses it).
    let moved: HashSet<FunctionId> = module
        .funcs
        .iter_local()
        .map(|(f, _)| f)
        .filter(|f| !plan.kept.contains(&f.index()))
        .collect();
    let table = function_table(&module)?;
    {
        let t = module.tables.get_mut(table);
        t.initial += plan.stubs.len() as u64;
        if let Some(max) = t.maximum.as_mut() {
            *max = (*max).max(t.initial);
        }
    }
    // Each secondary export calls through its slot.
    for (i, (name, f)) in plan.stubs.iter().enumerate() {
        let ty = module.funcs.get(ids.function(*f)?).ty();
        let (params, results) = {
            let t = module.types.get(ty);
            (t.params().to_vec(), t.results().to_vec())
        };
        let args: Vec<_> = params.iter().map(|p| module.locals.add(*p)).collect();
        let mut builder = FunctionBuilder::new(&mut module.types, &params, &results);
        let mut body = builder.func_body();
        for a in &args {
            body.local_get(*a);
        }
        body.i32_const((plan.first_stub_slot + i as u64) as i32);
        body.call_indirect(ty, table);
        let stub = builder.finish(args, &mut module.funcs);
        let export = module
            .exports
            .iter()
            .find(|e| e.name == *name)
            .map(|e| e.id())
            .context("export")?;
        module.exports.get_mut(export).item = ExportItem::Function(stub);
    }
    // The moved functions' table slots stay empty until the secondary module fills them: an
    // active segment becomes one per run of the functions that stay.
    let segments: Vec<_> = module.elements.iter().map(|e| e.id()).collect();
    for id in segments {
        let element = module.elements.get(id);
        let ElementItems::Functions(fs) = &element.items else {
            continue;
        };
        if !fs.iter().any(|f| moved.contains(f)) {
            continue;
        }
        let ElementKind::Active {
            table: into,
            offset,
        } = &element.kind
        else {
            bail!("a passive or declared element segment holds a moved function");
        };
        let (into, base, fs) = (*into, address_of(offset)?, fs.clone());
        module.elements.delete(id);
        module.tables.get_mut(into).elem_segments.remove(&id);
        let mut run: Vec<FunctionId> = Vec::new();
        let mut start = base;
        for (i, f) in fs.iter().enumerate() {
            if moved.contains(f) {
                if !run.is_empty() {
                    add_segment(&mut module, into, start, std::mem::take(&mut run));
                }
                start = base + i as u32 + 1;
            } else {
                run.push(*f);
            }
        }
        if !run.is_empty() {
            add_segment(&mut module, into, start, run);
        }
    }
    for &f in &moved {
        module.funcs.delete(f);
    }
    // Only the data the primary's roots reach stays: the rest is what the secondary module
    // writes and what no root reaches (wasm-opt's memory packing then drops the zeros).
    let data_ids: Vec<_> = module.data.iter().map(|d| d.id()).collect();
    for id in data_ids {
        let data = module.data.get_mut(id);
        let DataKind::Active { offset, .. } = &data.kind else {
            continue;
        };
        let base = address_of(offset)?;
        let end = base + data.value.len() as u32;
        for (from, to) in subtract(&[(base, end)], &plan.kept_data) {
            data.value[(from - base) as usize..(to - base) as usize].fill(0);
        }
    }
    for &i in &plan.functions {
        module.exports.add(&function_name(i), ids.function(i)?);
    }
    for g in module.globals.iter().map(|g| g.id()).collect::<Vec<_>>() {
        if plan.globals.contains(&g.index()) {
            module.exports.add(&global_name(g.index()), g);
        }
    }
    for t in module.tables.iter().map(|t| t.id()).collect::<Vec<_>>() {
        if plan.tables.contains(&t.index()) {
            module.exports.add(&table_name(t.index()), t);
        }
    }
    for m in module.memories.iter().map(|m| m.id()).collect::<Vec<_>>() {
        if plan.memories.contains(&m.index()) {
            module.exports.add(&memory_name(m.index()), m);
        }
    }
    Ok(module.emit_wasm())
}

fn emit_secondary(bindgened: &[u8], plan: &Plan) -> Result<Vec<u8>> {
    let mut module = parse(bindgened)?;
    strip(&mut module);
    let ids = Ids::of(&module);
    let moved: HashSet<FunctionId> = plan
        .moved
        .iter()
        .map(|i| ids.function(*i))
        .collect::<Result<_>>()?;
    let table = function_table(&module)?;

    // The moved functions' slots, before the element segments go.
    let mut slots: BTreeMap<u64, FunctionId> = BTreeMap::new();
    for element in module.elements.iter() {
        let (ElementKind::Active { table: t, offset }, ElementItems::Functions(fs)) =
            (&element.kind, &element.items)
        else {
            continue;
        };
        if *t != table {
            continue;
        }
        let base = u64::from(address_of(offset)?);
        for (i, f) in fs.iter().enumerate() {
            if moved.contains(f) {
                slots.insert(base + i as u64, *f);
            }
        }
    }
    for (i, (_, f)) in plan.stubs.iter().enumerate() {
        slots.insert(plan.first_stub_slot + i as u64, ids.function(*f)?);
    }
    // Bytes of the moved data, read before the data segments go.
    let mut data_bytes: Vec<(u32, Vec<u8>)> = Vec::new();
    for data in module.data.iter() {
        let DataKind::Active { offset, .. } = &data.kind else {
            continue;
        };
        let base = address_of(offset)?;
        let end = base + data.value.len() as u32;
        for d in &plan.moved_data {
            let (from, to) = (d.address.max(base), (d.address + d.size).min(end));
            if from < to {
                let bytes = &data.value[(from - base) as usize..(to - base) as usize];
                if bytes.iter().any(|b| *b != 0) {
                    data_bytes.push((from, bytes.to_vec()));
                }
            }
        }
    }
    data_bytes.sort_by_key(|(a, _)| *a);

    for e in module.exports.iter().map(|e| e.id()).collect::<Vec<_>>() {
        module.exports.delete(e);
    }
    module.start = None;
    for e in module.elements.iter().map(|e| e.id()).collect::<Vec<_>>() {
        module.elements.delete(e);
    }
    for t in module.tables.iter_mut() {
        t.elem_segments.clear();
    }
    for d in module.data.iter().map(|d| d.id()).collect::<Vec<_>>() {
        module.data.delete(d);
    }
    for m in module.memories.iter_mut() {
        m.data_segments.clear();
    }

    // Functions: the moved ones stay, the ones they call are imported, the rest go.
    for f in module.funcs.iter().map(|f| f.id()).collect::<Vec<_>>() {
        if moved.contains(&f) {
            continue;
        }
        if let FunctionKind::Import(imported) = &module.funcs.get(f).kind {
            let old = imported.import;
            module.imports.delete(old);
        }
        if plan.functions.contains(&f.index()) {
            let ty = module.funcs.get(f).ty();
            let import =
                module
                    .imports
                    .add(PRIMARY, &function_name(f.index()), ImportKind::Function(f));
            module.funcs.get_mut(f).kind =
                FunctionKind::Import(walrus::ImportedFunction { import, ty });
        } else {
            module.funcs.delete(f);
        }
    }
    for g in module.globals.iter().map(|g| g.id()).collect::<Vec<_>>() {
        if let GlobalKind::Import(old) = module.globals.get(g).kind {
            module.imports.delete(old);
        }
        if plan.globals.contains(&g.index()) {
            let import =
                module
                    .imports
                    .add(PRIMARY, &global_name(g.index()), ImportKind::Global(g));
            module.globals.get_mut(g).kind = GlobalKind::Import(import);
        } else {
            module.globals.delete(g);
        }
    }
    for t in module.tables.iter().map(|t| t.id()).collect::<Vec<_>>() {
        if let Some(old) = module.tables.get(t).import {
            module.imports.delete(old);
        }
        if plan.tables.contains(&t.index()) {
            let import = module
                .imports
                .add(PRIMARY, &table_name(t.index()), ImportKind::Table(t));
            let table = module.tables.get_mut(t);
            table.import = Some(import);
            table.init = None;
            // The primary's table has grown by the stubs' slots: any size up to that fits.
            table.maximum = None;
        } else {
            module.tables.delete(t);
        }
    }
    for m in module.memories.iter().map(|m| m.id()).collect::<Vec<_>>() {
        if let Some(old) = module.memories.get(m).import {
            module.imports.delete(old);
        }
        if plan.memories.contains(&m.index()) {
            let import =
                module
                    .imports
                    .add(PRIMARY, &memory_name(m.index()), ImportKind::Memory(m));
            let memory = module.memories.get_mut(m);
            memory.import = Some(import);
            memory.maximum = None;
        } else {
            module.memories.delete(m);
        }
    }
    // Fill the slots, a segment per run of consecutive slots.
    let mut runs: Vec<(u64, Vec<FunctionId>)> = Vec::new();
    for (slot, f) in slots {
        match runs.last_mut() {
            Some((start, fs)) if *start + fs.len() as u64 == slot => fs.push(f),
            _ => runs.push((slot, vec![f])),
        }
    }
    for (start, fs) in runs {
        let offset = ConstExpr::Value(ir::Value::I32(start as i32));
        module.elements.add(
            ElementKind::Active { table, offset },
            ElementItems::Functions(fs),
        );
    }
    // And write the moved data, a segment per run of adjacent bytes.
    let memory = module
        .memories
        .iter()
        .next()
        .map(|m| m.id())
        .context("no memory")?;
    let mut merged: Vec<(u32, Vec<u8>)> = Vec::new();
    for (at, bytes) in data_bytes {
        match merged.last_mut() {
            Some((start, b)) if *start + b.len() as u32 >= at => {
                let end = at as usize + bytes.len();
                let have = *start as usize + b.len();
                if end > have {
                    b.extend_from_slice(&bytes[bytes.len() - (end - have)..]);
                }
            }
            _ => merged.push((at, bytes)),
        }
    }
    for (at, bytes) in merged {
        let offset = ConstExpr::Value(ir::Value::I32(at as i32));
        module.data.add(DataKind::Active { memory, offset }, bytes);
    }
    Ok(module.emit_wasm())
}
