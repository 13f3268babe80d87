//! Writes the two modules of a [`Plan`]: the primary, with stubs and empty table slots where
//! functions moved, and the secondary, which imports what it uses of the primary.

use crate::references::DataSymbol;
use crate::subtract;
use crate::{PRIMARY, parse};
use anyhow::{Context, Result, bail};
use std::collections::{BTreeMap, HashMap, HashSet};
use walrus::ir;
use walrus::{
    ConstExpr, DataKind, ElementItems, ElementKind, ExportItem, FunctionBuilder, FunctionId,
    FunctionKind, GlobalKind, ImportKind, Module, TableId,
};

/// What moves, by the index of each item in the bindgened module (the same in every parse of it).
pub(crate) struct Plan {
    /// The functions the primary module keeps: what its roots reach.
    pub(crate) kept: HashSet<usize>,
    /// The functions the secondary module has: what its roots reach and the primary's do not.
    pub(crate) moved: HashSet<usize>,
    pub(crate) moved_data: Vec<DataSymbol>,
    /// The memory the primary's roots reach: sorted, disjoint ranges.
    pub(crate) kept_data: Vec<(u32, u32)>,
    /// The secondary exports, and the functions they export.
    pub(crate) stubs: Vec<(String, usize)>,
    /// The table slot of the first stub; the others follow.
    pub(crate) first_stub_slot: u64,
    /// What the moved functions use that stays: the primary exports it, the secondary imports it.
    pub(crate) functions: HashSet<usize>,
    pub(crate) globals: HashSet<usize>,
    pub(crate) tables: HashSet<usize>,
    pub(crate) memories: HashSet<usize>,
}

/// The export names the secondary module imports by: short, as there are hundreds; a function's
/// is its index in base 62, the others start with `$`, which no such index has.
fn function_name(index: usize) -> String {
    short(index)
}
fn global_name(index: usize) -> String {
    format!("$g{}", short(index))
}
fn table_name(index: usize) -> String {
    format!("$t{}", short(index))
}
fn memory_name(index: usize) -> String {
    format!("$m{}", short(index))
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
pub(crate) fn function_table(module: &Module) -> Result<TableId> {
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

/// A fresh parse of the bindgened module, without its custom sections, and its ids.
fn open(bindgened: &[u8]) -> Result<(Module, Ids)> {
    let mut module = parse(bindgened)?;
    strip(&mut module);
    let ids = Ids::of(&module);
    Ok((module, ids))
}

/// The primary module: the functions and data its roots reach, stubs for the secondary exports,
/// empty table slots for the moved functions, and exports of what the secondary module imports.
pub(crate) fn emit_primary(bindgened: &[u8], plan: &Plan) -> Result<Vec<u8>> {
    let (mut module, ids) = open(bindgened)?;
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
    // The names are the module's own: no export of it may have one.
    for &i in &plan.functions {
        let name = function_name(i);
        if module.exports.iter().any(|e| e.name == name) {
            bail!("the module already exports a {name}");
        }
        module.exports.add(&name, ids.function(i)?);
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

/// The secondary module: the moved functions, active segments that fill their table slots and
/// write their data, and imports of everything else they use.
pub(crate) fn emit_secondary(bindgened: &[u8], plan: &Plan) -> Result<Vec<u8>> {
    let (mut module, ids) = open(bindgened)?;
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

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn short_names_are_distinct() {
        let names: std::collections::HashSet<String> = (0..20_000).map(short).collect();
        assert_eq!(names.len(), 20_000);
        assert_eq!(short(0), "0");
        assert_eq!(short(61), "Z");
        assert_eq!(short(62), "10");
    }
}
