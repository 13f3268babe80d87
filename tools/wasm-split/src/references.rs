//! What the original module's relocations say: which functions and data each function and each
//! piece of data refers to.

use anyhow::{Result, bail};
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

/// What a relocation points at in the original module.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum Target {
    /// A function, by its index in the original module.
    Func(u32),
    /// A defined data symbol, by its index in the symbol table.
    Data(u32),
}

/// A data symbol's place in memory.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DataSymbol {
    pub(crate) address: u32,
    pub(crate) size: u32,
}

/// What the original module's relocations say.
#[derive(Default)]
pub(crate) struct References {
    /// Function names, by the original's function index.
    pub(crate) names: HashMap<u32, String>,
    /// What each function refers to, by the original's function index.
    pub(crate) from_function: HashMap<u32, Vec<Target>>,
    /// What each data symbol refers to.
    pub(crate) from_data: HashMap<u32, Vec<Target>>,
    /// The defined data symbols.
    pub(crate) data: BTreeMap<u32, DataSymbol>,
}

pub(crate) fn read_references(wasm: &[u8]) -> Result<References> {
    use wasmparser::{
        KnownCustom, Linking, LinkingSectionReader, Name, Parser, Payload, RelocationType,
        SymbolInfo,
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
