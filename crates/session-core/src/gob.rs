//! Go's `encoding/gob`, as gorilla/sessions' securecookie writes a session (`gob.NewEncoder(buf).Encode(values)`
//! of a `map[interface{}]interface{}`) and reads it back (`gob.NewDecoder(...).Decode`).
//!
//! A stream is a list of messages, each an unsigned length then its bytes. A message starts with a type id (a
//! signed int): negative, it defines type `-id` (a `wireType` struct follows); otherwise a value of that type
//! follows. Ids 1 to 8 are built in (bool, int, uint, float, `[]byte`, string, complex, interface); an app's
//! types get ids from 65 up, assigned per Go process, so the reader learns them from the definitions and never
//! assumes one.
//!
//! Numbers: an unsigned int under 128 is one byte, otherwise a byte `-n` and then `n` big-endian bytes; a signed
//! int is shifted left one bit (complemented when negative, the sign in bit 0); a float is its IEEE bits with the
//! bytes reversed, as an unsigned int. A string or byte slice is a length and the bytes; a slice, array or map
//! a count and the elements (keys and values alternating). A struct lists each non-zero field as the delta of
//! its number from the last one and the value, and ends with a 0; any other value at the top of a message
//! starts with a 0 (the delta of its one pseudo-field). An interface value is the concrete type's registered
//! name (`"int64"`, `"main.User"`; empty for nil), its type id, a byte count and the value. A type an interface
//! introduces is defined where it first appears: the message written so far ends with the definition and the
//! value goes on in the next message (nested in another interface's value: after a byte count in the same
//! one). Go reads one value and ignores whatever follows it.
//!
//! The reader here decodes any gob value generically, by the stream's own definitions, into [`Dyn`]; the
//! writer is Go's encoder step for step (where definitions go, which buffer is flushed), so for the same value
//! and a fresh Go process its bytes are Go's. Everything is bounded before it is allocated: nesting
//! ([`MAX_DEPTH`]), the number of values (the caller's budget), the number of type definitions
//! ([`MAX_TYPES`]), and every length and count by the bytes left in the message.

use std::collections::HashMap;

use crate::data::Entries;
use crate::error::{Result, SessionError};
use crate::value::{Foreign, Map, Value};

/// How deep values (interfaces, slices, maps, structs) may nest.
pub const MAX_DEPTH: usize = 64;
/// How many type definitions one stream may hold.
pub const MAX_TYPES: usize = 256;
/// The longest registered type name Go reads (`decodeInterface`'s limit).
const MAX_NAME: usize = 1024;
/// Go's lowest user type id (`firstUserId`): lower ids are Go's own.
const FIRST_USER_ID: i64 = 64;

/// The built-in type ids.
pub(crate) mod id {
    pub const BOOL: i64 = 1;
    pub const INT: i64 = 2;
    pub const UINT: i64 = 3;
    pub const FLOAT: i64 = 4;
    pub const BYTES: i64 = 5;
    pub const STRING: i64 = 6;
    pub const COMPLEX: i64 = 7;
    pub const INTERFACE: i64 = 8;
}

/// A type a stream defines (children by their ids in the same stream, or built-in ids).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Def {
    /// `CommonType.Name`: Go's name for named types (`User`, `Time`), empty for `[]interface {}` and the like.
    pub name: String,
    /// What it is.
    pub kind: Kind,
}

/// The shape of a defined type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    /// `[len]elem`.
    Array { elem: i64, len: u64 },
    /// `[]elem`.
    Slice { elem: i64 },
    /// A struct's exported fields: name and type.
    Struct { fields: Vec<(String, i64)> },
    /// `map[key]elem`.
    Map { key: i64, elem: i64 },
    /// A type that encodes itself (`GobEncoder` 4, `BinaryMarshaler` 5, `TextMarshaler` 6): its bytes.
    Encoder(u8),
}

/// The definitions of one stream, by id.
pub(crate) type Table = HashMap<i64, Def>;

/// A gob value, decoded by its wire type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Dyn {
    /// `bool`.
    Bool(bool),
    /// Any signed int kind.
    Int(i64),
    /// Any unsigned int kind.
    Uint(u64),
    /// `float32` or `float64`.
    Float(f64),
    /// `complex64` or `complex128`.
    Complex(f64, f64),
    /// `[]byte`.
    Bytes(Vec<u8>),
    /// A string (Go's strings are bytes, not necessarily UTF-8).
    Str(Vec<u8>),
    /// A slice's or array's elements.
    Seq(Vec<Dyn>),
    /// A map's entries, in stream order.
    Map(Vec<(Dyn, Dyn)>),
    /// A struct's fields as sent (its non-zero ones): field number and value.
    Struct(Vec<(usize, Dyn)>),
    /// A self-encoding type's bytes (`time.Time`'s `MarshalBinary`).
    Encoded(Vec<u8>),
    /// An interface value; `None` is nil.
    Iface(Option<Box<Iface>>),
}

/// A non-nil interface value: the concrete type's registered name, its type and the value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Iface {
    /// The name the type is registered under (`"string"`, `"[]interface {}"`, `"main.User"`).
    pub name: String,
    /// Which table the type is in (the writer's: 0 for its own, one per re-encoded value); 0 when read.
    pub table: usize,
    /// The concrete type's id in that table.
    pub ty: i64,
    /// The value.
    pub value: Dyn,
}

fn bad(what: impl std::fmt::Display) -> SessionError {
    SessionError::BadPayload(format!("gob: {what}"))
}

/// Reads one unsigned int from the front of `bytes`.
fn take_uint(bytes: &mut &[u8]) -> Result<u64> {
    let (&first, rest) = bytes.split_first().ok_or_else(|| bad("unexpected end of data"))?;
    if first <= 0x7f {
        *bytes = rest;
        return Ok(u64::from(first));
    }
    let n = usize::from(first.wrapping_neg());
    if n > 8 {
        return Err(bad("an unsigned int longer than 8 bytes"));
    }
    let (digits, rest) = rest.split_at_checked(n).ok_or_else(|| bad("unexpected end of data"))?;
    *bytes = rest;
    Ok(digits.iter().fold(0u64, |x, &b| x << 8 | u64::from(b)))
}

fn int_of(u: u64) -> i64 {
    let i = (u >> 1) as i64;
    if u & 1 == 1 { !i } else { i }
}

fn float_of(u: u64) -> f64 {
    f64::from_bits(u.swap_bytes())
}

/// The generic reader: Go's `Decoder` over a whole stream in memory.
pub(crate) struct Reader<'a> {
    /// The stream after the current message.
    stream: &'a [u8],
    /// What is left of the current message.
    buf: &'a [u8],
    /// The definitions read so far.
    pub types: Table,
    /// Values still allowed.
    budget: usize,
    /// The budget given.
    max_values: usize,
}

impl<'a> Reader<'a> {
    /// A reader of `stream` that decodes at most `max_values` values.
    pub fn new(stream: &'a [u8], max_values: usize) -> Self {
        Self {
            stream,
            buf: &[],
            types: Table::new(),
            budget: max_values,
            max_values,
        }
    }

    fn uint(&mut self) -> Result<u64> {
        take_uint(&mut self.buf)
    }

    fn int(&mut self) -> Result<i64> {
        self.uint().map(int_of)
    }

    /// A length or count, at most the bytes left in the message (each element takes at least one).
    fn count(&mut self, per_item: usize) -> Result<usize> {
        let n = self.uint()?;
        usize::try_from(n)
            .ok()
            .filter(|&n| n.checked_mul(per_item).is_some_and(|b| b <= self.buf.len()))
            .ok_or_else(|| bad("a length or count beyond the data"))
    }

    fn bytes(&mut self) -> Result<Vec<u8>> {
        let n = self.count(1)?;
        let (taken, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(taken.to_vec())
    }

    fn spend(&mut self) -> Result<()> {
        self.budget = self
            .budget
            .checked_sub(1)
            .ok_or_else(|| bad(format!("more than {} values (max_values)", self.max_values)))?;
        Ok(())
    }

    /// `recvMessage`: the next message becomes the buffer; false at the end of the stream.
    fn next_message(&mut self) -> Result<bool> {
        if self.stream.is_empty() {
            return Ok(false);
        }
        let n = take_uint(&mut self.stream)?;
        let n = usize::try_from(n)
            .ok()
            .filter(|&n| n <= self.stream.len())
            .ok_or_else(|| bad("a message longer than the data"))?;
        let (message, rest) = self.stream.split_at(n);
        self.buf = message;
        self.stream = rest;
        Ok(true)
    }

    /// `decodeTypeSequence`: reads definitions until a value's type id.
    fn type_sequence(&mut self, in_interface: bool) -> Result<i64> {
        loop {
            if self.buf.is_empty() && !self.next_message()? {
                return Err(bad("no value in the data"));
            }
            let id = self.int()?;
            if id >= 0 {
                return Ok(id);
            }
            self.define(id.checked_neg().unwrap_or(0))?;
            if !self.buf.is_empty() {
                if !in_interface {
                    return Err(bad("extra data after a type definition"));
                }
                // The byte count of what the value continues with.
                self.uint()?;
            }
        }
    }

    /// `recvType`: a `wireType` struct defining `id`.
    fn define(&mut self, id: i64) -> Result<()> {
        if id < FIRST_USER_ID || self.types.contains_key(&id) {
            return Err(bad("a type defined twice or with a reserved id"));
        }
        if self.types.len() >= MAX_TYPES {
            return Err(bad(format!("more than {MAX_TYPES} type definitions")));
        }
        let mut found = None;
        self.fields(7, |r, field| {
            if found.is_some() {
                return Err(bad("a type definition of two kinds"));
            }
            found = Some(r.definition(field)?);
            Ok(())
        })?;
        let def = found.ok_or_else(|| bad("an empty type definition"))?;
        self.types.insert(id, def);
        Ok(())
    }

    /// One of `wireType`'s fields: `arrayType`, `sliceType`, `structType`, `mapType` or a `gobEncoderType`.
    fn definition(&mut self, field: usize) -> Result<Def> {
        let mut name = String::new();
        let (mut elem, mut key, mut len, mut id) = (0i64, 0i64, 0u64, 0i64);
        let mut fields = Vec::new();
        let count = match field {
            0 | 3 => 3,
            1 | 2 => 2,
            _ => 1,
        };
        self.fields(count, |r, f| {
            match (field, f) {
                (_, 0) => {
                    r.fields(2, |r, g| {
                        if g == 0 {
                            name = r.name()?;
                        } else {
                            id = r.int()?;
                        }
                        Ok(())
                    })?;
                }
                (0, 1) | (1, 1) => elem = r.int()?,
                (0, 2) => len = u64::try_from(r.int()?).map_err(|_| bad("a negative array length"))?,
                (3, 1) => key = r.int()?,
                (3, 2) => elem = r.int()?,
                (2, _) => {
                    let n = r.count(1)?;
                    fields = Vec::with_capacity(n);
                    for _ in 0..n {
                        let (mut fname, mut fid) = (String::new(), 0i64);
                        r.fields(2, |r, g| {
                            if g == 0 {
                                fname = r.name()?;
                            } else {
                                fid = r.int()?;
                            }
                            Ok(())
                        })?;
                        fields.push((fname, fid));
                    }
                }
                _ => return Err(bad("an unknown field in a type definition")),
            }
            Ok(())
        })?;
        let _ = id;
        let kind = match field {
            0 => Kind::Array { elem, len },
            1 => Kind::Slice { elem },
            2 => Kind::Struct { fields },
            3 => Kind::Map { key, elem },
            // 4, 5, 6: checked by `fields`.
            n => Kind::Encoder(u8::try_from(n).unwrap_or(4)),
        };
        Ok(Def { name, kind })
    }

    fn name(&mut self) -> Result<String> {
        let n = self.count(1)?;
        if n > MAX_NAME {
            return Err(bad("a type name over 1024 bytes"));
        }
        let (taken, rest) = self.buf.split_at(n);
        self.buf = rest;
        String::from_utf8(taken.to_vec()).map_err(|_| bad("a type name that is not UTF-8"))
    }

    /// A struct's fields: `each(field number)` for every field sent, until the 0 or, as in Go's
    /// `decodeStruct`, the end of the message.
    fn fields(&mut self, count: usize, mut each: impl FnMut(&mut Self, usize) -> Result<()>) -> Result<()> {
        let mut field: i64 = -1;
        while !self.buf.is_empty() {
            let delta = self.uint()?;
            if delta == 0 {
                return Ok(());
            }
            field = i64::try_from(delta)
                .ok()
                .and_then(|d| field.checked_add(d))
                .filter(|&f| usize::try_from(f).is_ok_and(|f| f < count))
                .ok_or_else(|| bad("a struct field number out of range"))?;
            each(self, usize::try_from(field).unwrap_or_default())?;
        }
        Ok(())
    }

    /// Reads the stream's first value: its type id and the value.
    ///
    /// # Errors
    /// `BadPayload` for anything Go's decoder refuses or the bounds refuse; `PayloadTooLarge` past the budget.
    pub fn top(&mut self) -> Result<(i64, Dyn)> {
        let id = self.type_sequence(false)?;
        let value = self.framed(id, 0)?;
        Ok((id, value))
    }

    /// A value at the top of a message or inside an interface: a struct, or the 0 and any other value.
    fn framed(&mut self, ty: i64, depth: usize) -> Result<Dyn> {
        if !matches!(self.types.get(&ty).map(|d| &d.kind), Some(Kind::Struct { .. })) && self.uint()? != 0 {
            return Err(bad("a non-zero delta before a single value"));
        }
        self.value(ty, depth)
    }

    fn value(&mut self, ty: i64, depth: usize) -> Result<Dyn> {
        if depth > MAX_DEPTH {
            return Err(bad("values nested too deep"));
        }
        self.spend()?;
        Ok(match ty {
            id::BOOL => Dyn::Bool(self.uint()? != 0),
            id::INT => Dyn::Int(self.int()?),
            id::UINT => Dyn::Uint(self.uint()?),
            id::FLOAT => Dyn::Float(float_of(self.uint()?)),
            id::COMPLEX => Dyn::Complex(float_of(self.uint()?), float_of(self.uint()?)),
            id::BYTES => Dyn::Bytes(self.bytes()?),
            id::STRING => Dyn::Str(self.bytes()?),
            id::INTERFACE => Dyn::Iface(self.interface(depth + 1)?.map(Box::new)),
            _ => {
                let kind = self
                    .types
                    .get(&ty)
                    .map(|d| d.kind.clone())
                    .ok_or_else(|| bad("a value of an undefined type"))?;
                match kind {
                    Kind::Slice { elem } => {
                        let n = self.count(1)?;
                        let mut items = Vec::with_capacity(n);
                        for _ in 0..n {
                            items.push(self.value(elem, depth + 1)?);
                        }
                        Dyn::Seq(items)
                    }
                    Kind::Array { elem, len } => {
                        let n = self.count(1)?;
                        if n as u64 != len {
                            return Err(bad("an array of the wrong length"));
                        }
                        let mut items = Vec::with_capacity(n);
                        for _ in 0..n {
                            items.push(self.value(elem, depth + 1)?);
                        }
                        Dyn::Seq(items)
                    }
                    Kind::Map { key, elem } => {
                        let n = self.count(2)?;
                        let mut entries = Vec::with_capacity(n);
                        for _ in 0..n {
                            let k = self.value(key, depth + 1)?;
                            let v = self.value(elem, depth + 1)?;
                            entries.push((k, v));
                        }
                        Dyn::Map(entries)
                    }
                    Kind::Struct { fields } => {
                        let mut got = Vec::new();
                        self.fields(fields.len(), |r, f| {
                            let v = r.value(fields[f].1, depth + 1)?;
                            got.push((f, v));
                            Ok(())
                        })?;
                        Dyn::Struct(got)
                    }
                    Kind::Encoder(_) => Dyn::Encoded(self.bytes()?),
                }
            }
        })
    }

    /// `decodeInterface`: name, type id (after any definitions), byte count, value.
    fn interface(&mut self, depth: usize) -> Result<Option<Iface>> {
        let name = self.name()?;
        if name.is_empty() {
            return Ok(None);
        }
        let ty = self.type_sequence(true)?;
        self.uint()?;
        let value = self.framed(ty, depth)?;
        Ok(Some(Iface {
            name,
            table: 0,
            ty,
            value,
        }))
    }
}

fn put_uint(out: &mut Vec<u8>, x: u64) {
    if x <= 0x7f {
        out.push(x as u8);
        return;
    }
    let bytes = x.to_be_bytes();
    let skip = (x.leading_zeros() / 8) as usize;
    out.push(((8 - skip) as u8).wrapping_neg());
    out.extend_from_slice(&bytes[skip..]);
}

fn put_int(out: &mut Vec<u8>, i: i64) {
    let u = if i < 0 { (!(i as u64)) << 1 | 1 } else { (i as u64) << 1 };
    put_uint(out, u);
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_uint(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn put_float(out: &mut Vec<u8>, f: f64) {
    put_uint(out, f.to_bits().swap_bytes());
}

/// `writeMessage`: `buf` as a message on `w`; `buf` starts over.
fn message(w: &mut Vec<u8>, buf: &mut Vec<u8>) {
    put_uint(w, buf.len() as u64);
    w.append(buf);
}

/// Writes a struct's fields as deltas.
struct Fields(i64);

impl Fields {
    fn new() -> Self {
        Self(-1)
    }

    fn at(&mut self, out: &mut Vec<u8>, field: i64) {
        put_uint(out, (field - self.0) as u64);
        self.0 = field;
    }
}

/// The generic writer: Go's `Encoder`, with the type tables the values' types come from.
pub(crate) struct Writer<'t> {
    tables: Vec<&'t Table>,
    /// The id each (table, type) has in the stream written; assigned like Go assigns them in a fresh process.
    ids: HashMap<(usize, i64), i64>,
    sent: std::collections::HashSet<(usize, i64)>,
    next: i64,
}

impl<'t> Writer<'t> {
    /// A writer over type tables (an [`Iface::table`] indexes them).
    pub fn new(tables: Vec<&'t Table>) -> Self {
        Self {
            tables,
            ids: HashMap::new(),
            sent: std::collections::HashSet::new(),
            next: FIRST_USER_ID + 1,
        }
    }

    fn def(&self, table: usize, ty: i64) -> Result<&'t Def> {
        self.tables
            .get(table)
            .and_then(|t| t.get(&ty))
            .ok_or_else(|| SessionError::Value(format!("gob: no definition of type {ty}")))
    }

    fn children(def: &Def) -> Vec<i64> {
        match &def.kind {
            Kind::Array { elem, .. } | Kind::Slice { elem } => vec![*elem],
            Kind::Map { key, elem } => vec![*key, *elem],
            Kind::Struct { fields } => fields.iter().map(|f| f.1).collect(),
            Kind::Encoder(_) => Vec::new(),
        }
    }

    /// The stream id of a type: built-in ids are themselves; others are numbered in Go's order (a type before
    /// the types it is made of).
    fn id_of(&mut self, table: usize, ty: i64) -> Result<i64> {
        if (1..=8).contains(&ty) {
            return Ok(ty);
        }
        if let Some(&id) = self.ids.get(&(table, ty)) {
            return Ok(id);
        }
        let mut stack = vec![ty];
        while let Some(t) = stack.pop() {
            if (1..=8).contains(&t) || self.ids.contains_key(&(table, t)) {
                continue;
            }
            let def = self.def(table, t)?;
            self.ids.insert((table, t), self.next);
            self.next += 1;
            stack.extend(Self::children(def).into_iter().rev());
        }
        Ok(self.ids[&(table, ty)])
    }

    /// `sendTypeDescriptor`: defines `ty` (and what it is made of) if it was not yet: each definition ends
    /// what `buf` holds so far as a message on `w`.
    fn send_type(&mut self, w: &mut Vec<u8>, buf: &mut Vec<u8>, table: usize, ty: i64) -> Result<()> {
        if (1..=8).contains(&ty) || self.sent.contains(&(table, ty)) {
            return Ok(());
        }
        let id = self.id_of(table, ty)?;
        let def = self.def(table, ty)?;
        put_int(buf, -id);
        let mut wire = Fields::new();
        let field = match def.kind {
            Kind::Array { .. } => 0,
            Kind::Slice { .. } => 1,
            Kind::Struct { .. } => 2,
            Kind::Map { .. } => 3,
            Kind::Encoder(n) => i64::from(n),
        };
        wire.at(buf, field);
        let mut inner = Fields::new();
        inner.at(buf, 0);
        let mut common = Fields::new();
        if !def.name.is_empty() {
            common.at(buf, 0);
            put_bytes(buf, def.name.as_bytes());
        }
        common.at(buf, 1);
        put_int(buf, id);
        put_uint(buf, 0);
        match &def.kind {
            Kind::Array { elem, len } => {
                inner.at(buf, 1);
                let elem = self.id_of(table, *elem)?;
                put_int(buf, elem);
                if *len != 0 {
                    inner.at(buf, 2);
                    put_int(buf, i64::try_from(*len).unwrap_or(i64::MAX));
                }
            }
            Kind::Slice { elem } => {
                inner.at(buf, 1);
                let elem = self.id_of(table, *elem)?;
                put_int(buf, elem);
            }
            Kind::Map { key, elem } => {
                inner.at(buf, 1);
                let key = self.id_of(table, *key)?;
                put_int(buf, key);
                inner.at(buf, 2);
                let elem = self.id_of(table, *elem)?;
                put_int(buf, elem);
            }
            Kind::Struct { fields } => {
                if !fields.is_empty() {
                    inner.at(buf, 1);
                    put_uint(buf, fields.len() as u64);
                    for (name, fty) in fields {
                        let mut f = Fields::new();
                        if !name.is_empty() {
                            f.at(buf, 0);
                            put_bytes(buf, name.as_bytes());
                        }
                        f.at(buf, 1);
                        let fid = self.id_of(table, *fty)?;
                        put_int(buf, fid);
                        put_uint(buf, 0);
                    }
                }
            }
            Kind::Encoder(_) => {}
        }
        put_uint(buf, 0);
        put_uint(buf, 0);
        message(w, buf);
        self.sent.insert((table, ty));
        if !matches!(def.kind, Kind::Encoder(_)) {
            for child in Self::children(def) {
                self.send_type(w, buf, table, child)?;
            }
        }
        Ok(())
    }

    fn is_struct(&self, table: usize, ty: i64) -> bool {
        self.tables
            .get(table)
            .and_then(|t| t.get(&ty))
            .is_some_and(|d| matches!(d.kind, Kind::Struct { .. }))
    }

    /// `Encoder.Encode`: one value of type `ty` (in `table`) as a stream.
    ///
    /// # Errors
    /// `Value` when a value does not fit its type (a bug in the caller's conversion, never input).
    pub fn top(&mut self, table: usize, ty: i64, value: &Dyn) -> Result<Vec<u8>> {
        let mut stream = Vec::new();
        let mut buf = Vec::new();
        self.send_type(&mut stream, &mut buf, table, ty)?;
        let id = self.id_of(table, ty)?;
        put_int(&mut buf, id);
        self.framed(&mut buf, &mut stream, table, ty, value)?;
        message(&mut stream, &mut buf);
        Ok(stream)
    }

    fn framed(&mut self, buf: &mut Vec<u8>, w: &mut Vec<u8>, table: usize, ty: i64, value: &Dyn) -> Result<()> {
        if !self.is_struct(table, ty) {
            put_uint(buf, 0);
        }
        self.value(buf, w, table, ty, value)
    }

    fn value(&mut self, buf: &mut Vec<u8>, w: &mut Vec<u8>, table: usize, ty: i64, value: &Dyn) -> Result<()> {
        let mismatch = || SessionError::Value(format!("gob: a value that is not of its type {ty}"));
        match (ty, value) {
            (id::BOOL, Dyn::Bool(b)) => put_uint(buf, u64::from(*b)),
            (id::INT, Dyn::Int(i)) => put_int(buf, *i),
            (id::UINT, Dyn::Uint(u)) => put_uint(buf, *u),
            (id::FLOAT, Dyn::Float(f)) => put_float(buf, *f),
            (id::COMPLEX, Dyn::Complex(re, im)) => {
                put_float(buf, *re);
                put_float(buf, *im);
            }
            (id::BYTES, Dyn::Bytes(b)) | (id::STRING, Dyn::Str(b)) => put_bytes(buf, b),
            (id::INTERFACE, Dyn::Iface(i)) => self.interface(buf, w, i.as_deref())?,
            (1..=8, _) => return Err(mismatch()),
            _ => {
                let def = self.def(table, ty)?;
                match (&def.kind, value) {
                    (Kind::Slice { elem } | Kind::Array { elem, .. }, Dyn::Seq(items)) => {
                        put_uint(buf, items.len() as u64);
                        for item in items {
                            self.value(buf, w, table, *elem, item)?;
                        }
                    }
                    (Kind::Map { key, elem }, Dyn::Map(entries)) => {
                        put_uint(buf, entries.len() as u64);
                        for (k, v) in entries {
                            self.value(buf, w, table, *key, k)?;
                            self.value(buf, w, table, *elem, v)?;
                        }
                    }
                    (Kind::Struct { fields }, Dyn::Struct(values)) => {
                        let mut at = Fields::new();
                        for (f, v) in values {
                            let fty = fields.get(*f).ok_or_else(mismatch)?.1;
                            at.at(buf, i64::try_from(*f).unwrap_or(i64::MAX));
                            self.value(buf, w, table, fty, v)?;
                        }
                        put_uint(buf, 0);
                    }
                    (Kind::Encoder(_), Dyn::Encoded(b)) => put_bytes(buf, b),
                    _ => return Err(mismatch()),
                }
            }
        }
        Ok(())
    }

    /// `encodeInterface`: name, definitions on `w`, id, then the value in its own buffer (definitions it needs
    /// go on `buf`), framed as a message on `buf`.
    fn interface(&mut self, buf: &mut Vec<u8>, w: &mut Vec<u8>, iface: Option<&Iface>) -> Result<()> {
        let Some(iface) = iface else {
            put_uint(buf, 0);
            return Ok(());
        };
        put_bytes(buf, iface.name.as_bytes());
        self.send_type(w, buf, iface.table, iface.ty)?;
        let id = self.id_of(iface.table, iface.ty)?;
        put_int(buf, id);
        let mut data = Vec::new();
        self.framed(&mut data, buf, iface.table, iface.ty, &iface.value)?;
        message(buf, &mut data);
        Ok(())
    }
}

/// The serializer name of the [`Foreign`] values gob reads.
pub const SERIALIZER: &str = "gob";

/// Seconds from Go's zero time (January 1, year 1, UTC) to the Unix epoch.
const UNIX_TO_GO: i64 = 62_135_596_800;

/// A gorilla session: Go's `gob` encoding of a `map[interface{}]interface{}` with string keys, as the session
/// model's entries.
///
/// Values map to the model where it has the same type: `string`, `int`, `float64`, `bool`, nil, `[]uint8`
/// (bytes), `[]interface {}` (a list), `map[string]interface {}` (a dict) and a `time.Time` in UTC to whole
/// seconds (a datetime). Every other value is a [`Foreign`] value (serializer `"gob"`, Go's type name), kept
/// as it came: the other int and uint kinds, `float32`, `[]string`, a `time.Time` with a zone or a fraction
/// of a second, a named type of a basic kind (each with its plain counterpart), an app's own structs (with
/// none). Its encoded bytes are a gob stream of that one value with its type definitions.
///
/// # Errors
/// `BadPayload` for bytes Go's decoder refuses, a session that is not a `map[interface{}]interface{}`, a key
/// that is not a `string`, nesting beyond [`MAX_DEPTH`], more than `max_values` values or [`MAX_TYPES`] types.
pub fn decode_session(bytes: &[u8], max_values: usize) -> Result<Map> {
    let mut reader = Reader::new(bytes, max_values);
    let (ty, value) = reader.top()?;
    let types = &reader.types;
    let (
        Some(Kind::Map {
            key: id::INTERFACE,
            elem: id::INTERFACE,
        }),
        Dyn::Map(entries),
    ) = (types.get(&ty).map(|d| &d.kind), value)
    else {
        return Err(bad("the session is not a map[interface{}]interface{}"));
    };
    let mut map = Map::new();
    for (key, value) in entries {
        let key = match key {
            Dyn::Iface(Some(k)) if k.name == "string" && k.ty == id::STRING => match k.value {
                Dyn::Str(b) => String::from_utf8(b).map_err(|_| bad("a session key that is not UTF-8"))?,
                _ => return Err(bad("a string key that holds no string")),
            },
            Dyn::Iface(Some(k)) => return Err(bad(format!("a session key of type {}; keys are strings", k.name))),
            _ => return Err(bad("a nil session key")),
        };
        let Dyn::Iface(value) = value else {
            return Err(bad("a session value that is not an interface"));
        };
        // Duplicate keys: the last wins, as in Go's map.
        map.insert(key, to_value(types, value.map(|b| *b))?);
    }
    Ok(map)
}

/// Go's range check for an int kind narrower than 64 bits.
fn int_in_range(name: &str, v: i64) -> Option<bool> {
    let bits = match name {
        "int" | "int64" => 64,
        "int32" => 32,
        "int16" => 16,
        "int8" => 8,
        _ => return None,
    };
    Some(bits == 64 || (v >= -(1i64 << (bits - 1)) && v < (1i64 << (bits - 1))))
}

fn uint_in_range(name: &str, v: u64) -> Option<bool> {
    let bits = match name {
        "uint" | "uint64" | "uintptr" => 64,
        "uint32" => 32,
        "uint16" => 16,
        "uint8" => 8,
        _ => return None,
    };
    Some(bits == 64 || v < (1u64 << bits))
}

/// The model's value for an interface value read from a stream with `types`.
fn to_value(types: &Table, iface: Option<Iface>) -> Result<Value> {
    let Some(iface) = iface else {
        return Ok(Value::Null);
    };
    let kind = types.get(&iface.ty).map(|d| &d.kind);
    let utf8 = |b: &[u8]| std::str::from_utf8(b).ok().map(|s| Value::Str(s.to_owned()));
    let mismatch = || bad(format!("a {} value of another type", iface.name));
    // Each basic shape of `Dyn` comes from its one type id (`Reader::value`), so a shape says the type.
    let plain = match (iface.name.as_str(), &iface.value) {
        ("string", Dyn::Str(b)) => match utf8(b) {
            Some(v) => return Ok(v),
            None => None,
        },
        ("bool", Dyn::Bool(b)) => return Ok(Value::Bool(*b)),
        ("int", Dyn::Int(i)) => return Ok(Value::Int(*i)),
        ("float64", Dyn::Float(f)) => return Ok(Value::Float(*f)),
        ("[]uint8", Dyn::Bytes(b)) => return Ok(Value::Bytes(b.clone())),
        (name, Dyn::Int(i)) if int_in_range(name, *i).is_some() => {
            if int_in_range(name, *i) != Some(true) {
                return Err(bad(format!("an {name} out of range")));
            }
            Some(Value::Int(*i))
        }
        (name, Dyn::Uint(u)) if uint_in_range(name, *u).is_some() => {
            if uint_in_range(name, *u) != Some(true) {
                return Err(bad(format!("a {name} out of range")));
            }
            Some(i64::try_from(*u).map_or_else(|_| Value::BigInt(u.to_string()), Value::Int))
        }
        ("float32", Dyn::Float(f)) => {
            if f.is_finite() && f.abs() > f64::from(f32::MAX) {
                return Err(bad("a float32 out of range"));
            }
            // What the Go app holds: the float64 on the wire rounded to a float32.
            Some(Value::Float(f64::from(*f as f32)))
        }
        ("complex128", Dyn::Complex(..)) => None,
        ("complex64", Dyn::Complex(re, im)) => {
            if [re, im].iter().any(|f| f.is_finite() && f.abs() > f64::from(f32::MAX)) {
                return Err(bad("a complex64 out of range"));
            }
            None
        }
        ("[]interface {}", Dyn::Seq(items)) if kind == Some(&Kind::Slice { elem: id::INTERFACE }) => {
            let mut list = Vec::with_capacity(items.len());
            for item in items {
                let Dyn::Iface(i) = item else { return Err(mismatch()) };
                list.push(to_value(types, i.as_deref().cloned())?);
            }
            return Ok(Value::List(list));
        }
        ("map[string]interface {}", Dyn::Map(entries))
            if kind
                == Some(&Kind::Map {
                    key: id::STRING,
                    elem: id::INTERFACE,
                }) =>
        {
            let mut map = Map::new();
            let mut all_utf8 = true;
            for (k, v) in entries {
                let (Dyn::Str(k), Dyn::Iface(v)) = (k, v) else {
                    return Err(mismatch());
                };
                let value = to_value(types, v.as_deref().cloned())?;
                match String::from_utf8(k.clone()) {
                    Ok(k) => {
                        map.insert(k, value);
                    }
                    Err(_) => all_utf8 = false,
                }
            }
            if all_utf8 {
                return Ok(Value::Dict(map));
            }
            None
        }
        ("time.Time", Dyn::Encoded(b)) => {
            let (seconds, exact) = go_time(b)?;
            if exact {
                return Ok(Value::DateTime(seconds));
            }
            Some(Value::DateTime(seconds))
        }
        ("[]string", Dyn::Seq(items)) if kind == Some(&Kind::Slice { elem: id::STRING }) => items
            .iter()
            .map(|i| match i {
                Dyn::Str(b) => utf8(b),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(Value::List),
        (
            "string"
            | "bool"
            | "int"
            | "int8"
            | "int16"
            | "int32"
            | "int64"
            | "uint"
            | "uint8"
            | "uint16"
            | "uint32"
            | "uint64"
            | "uintptr"
            | "float32"
            | "float64"
            | "complex64"
            | "complex128"
            | "[]uint8"
            | "[]interface {}"
            | "map[string]interface {}"
            | "time.Time"
            | "[]string",
            _,
        ) => return Err(mismatch()),
        // An app's own named type of a basic kind (`type Role string`) means its basic value.
        (_, Dyn::Str(b)) => utf8(b),
        (_, Dyn::Bool(b)) => Some(Value::Bool(*b)),
        (_, Dyn::Int(i)) => Some(Value::Int(*i)),
        (_, Dyn::Float(f)) => Some(Value::Float(*f)),
        (_, Dyn::Bytes(b)) => Some(Value::Bytes(b.clone())),
        _ => None,
    };
    let encoded = Writer::new(vec![types]).top(0, iface.ty, &iface.value)?;
    Ok(Value::Foreign(Box::new(Foreign::new(
        SERIALIZER, iface.name, encoded, plain,
    ))))
}

/// `time.Time.UnmarshalBinary`: version 1 (or Go 1.20's 2), seconds since year 1, nanoseconds, zone offset in
/// minutes (-1: UTC) (version 2: and seconds). Returns Unix seconds and whether the model's datetime holds
/// it exactly (UTC, whole seconds, version 1).
fn go_time(b: &[u8]) -> Result<(i64, bool)> {
    let refuse = || bad("a time.Time that Go cannot read");
    let (&version, rest) = b.split_first().ok_or_else(refuse)?;
    let want = match version {
        1 => 14,
        2 => 15,
        _ => return Err(refuse()),
    };
    if rest.len() != want {
        return Err(refuse());
    }
    let sec = u64::from_be_bytes(rest[0..8].try_into().map_err(|_| refuse())?) as i64;
    // Go's `Time` keeps 30 bits of nanoseconds; the bits above are lost as Go reads them.
    let nsec = u32::from_be_bytes(rest[8..12].try_into().map_err(|_| refuse())?) & 0x3fff_ffff;
    let offset = i16::from_be_bytes(rest[12..14].try_into().map_err(|_| refuse())?);
    let exact = version == 1 && nsec == 0 && offset == -1;
    Ok((sec.wrapping_sub(UNIX_TO_GO), exact))
}

/// `time.Time.MarshalBinary` of a UTC time at whole `seconds` (Unix).
fn go_time_bytes(seconds: i64) -> Vec<u8> {
    let mut out = vec![1];
    out.extend_from_slice(&seconds.wrapping_add(UNIX_TO_GO).to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0, 0xff, 0xff]);
    out
}

/// The types the writer's own values use (the top-level map, `[]interface {}`, `map[string]interface {}`,
/// `time.Time`), under keys of their own; the stream gets ids in the order they are first written.
fn own_types() -> Table {
    let mut t = Table::new();
    t.insert(
        TOP,
        Def {
            name: String::new(),
            kind: Kind::Map {
                key: id::INTERFACE,
                elem: id::INTERFACE,
            },
        },
    );
    t.insert(
        LIST,
        Def {
            name: String::new(),
            kind: Kind::Slice { elem: id::INTERFACE },
        },
    );
    t.insert(
        DICT,
        Def {
            name: String::new(),
            kind: Kind::Map {
                key: id::STRING,
                elem: id::INTERFACE,
            },
        },
    );
    t.insert(
        TIME,
        Def {
            name: "Time".into(),
            kind: Kind::Encoder(4),
        },
    );
    t
}

const TOP: i64 = 65;
const LIST: i64 = 66;
const DICT: i64 = 67;
const TIME: i64 = 68;

/// Turns the model's values into gob values, collecting the type tables of the [`Foreign`] values it writes
/// back (table 0 is [`own_types`]; each foreign value's is the next).
struct ToGob {
    tables: Vec<Table>,
}

impl ToGob {
    fn iface(&mut self, name: &str, ty: i64, value: Dyn) -> Dyn {
        Dyn::Iface(Some(Box::new(Iface {
            name: name.into(),
            table: 0,
            ty,
            value,
        })))
    }

    fn value(&mut self, value: &Value) -> Result<Dyn> {
        Ok(match value {
            Value::Null => Dyn::Iface(None),
            Value::Bool(b) => self.iface("bool", id::BOOL, Dyn::Bool(*b)),
            Value::Int(i) => self.iface("int", id::INT, Dyn::Int(*i)),
            Value::BigInt(text) => match text.parse::<u64>() {
                Ok(u) => self.iface("uint64", id::UINT, Dyn::Uint(u)),
                Err(_) => {
                    return Err(SessionError::Value(format!(
                        "the integer {text} does not fit a Go int64 or uint64"
                    )));
                }
            },
            Value::Float(f) => self.iface("float64", id::FLOAT, Dyn::Float(*f)),
            Value::Str(s) | Value::Markup(s) => self.iface("string", id::STRING, Dyn::Str(s.as_bytes().to_vec())),
            Value::Uuid(u) => self.iface("string", id::STRING, Dyn::Str(crate::json::uuid_text(u).into_bytes())),
            Value::Bytes(b) => self.iface("[]uint8", id::BYTES, Dyn::Bytes(b.clone())),
            Value::List(items) | Value::Tuple(items) => {
                let items = items.iter().map(|v| self.value(v)).collect::<Result<Vec<_>>>()?;
                self.iface("[]interface {}", LIST, Dyn::Seq(items))
            }
            Value::Dict(map) => {
                let entries = map
                    .iter()
                    .map(|(k, v)| Ok((Dyn::Str(k.as_bytes().to_vec()), self.value(v)?)))
                    .collect::<Result<Vec<_>>>()?;
                self.iface("map[string]interface {}", DICT, Dyn::Map(entries))
            }
            Value::DateTime(seconds) => self.iface("time.Time", TIME, Dyn::Encoded(go_time_bytes(*seconds))),
            Value::Foreign(f) if f.serializer() == SERIALIZER => {
                let mut reader = Reader::new(f.encoded(), usize::MAX);
                let Ok((ty, dyn_value)) = reader.top() else {
                    // Not bytes this reader made: its plain value, where it has one.
                    return match f.value() {
                        Some(v) => self.value(v),
                        None => Err(f.unrepresentable("is not a gob stream Go can read")),
                    };
                };
                self.tables.push(reader.types);
                let table = self.tables.len() - 1;
                let mut value = dyn_value;
                retable(&mut value, table);
                Dyn::Iface(Some(Box::new(Iface {
                    name: f.type_name().to_owned(),
                    table,
                    ty,
                    value,
                })))
            }
            Value::Foreign(f) => match f.value() {
                Some(v) => self.value(v)?,
                None => return Err(f.unrepresentable("gob cannot hold")),
            },
        })
    }
}

/// Points every interface value inside `value` at the type table `table` (a foreign value's own).
fn retable(value: &mut Dyn, table: usize) {
    match value {
        Dyn::Iface(Some(i)) => {
            i.table = table;
            retable(&mut i.value, table);
        }
        Dyn::Seq(items) => items.iter_mut().for_each(|v| retable(v, table)),
        Dyn::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            retable(k, table);
            retable(v, table);
        }),
        Dyn::Struct(fields) => fields.iter_mut().for_each(|(_, v)| retable(v, table)),
        _ => {}
    }
}

/// The gob stream gorilla's securecookie writes for a session (`gob.NewEncoder(b).Encode(values)`): a
/// `map[interface{}]interface{}` of its entries, keys in code-point order, each value under the Go type the
/// model's value reads back as (see [`decode_session`]; a UUID is its text, a tuple a list), a [`Foreign`]
/// value of gob's written back as it came. Bytes equal Go's in a fresh process where Go's map order is the
/// same (one key).
///
/// # Errors
/// `Value` for a value Go cannot hold (an integer beyond 64 bits, another serializer's foreign value without
/// a plain counterpart).
pub fn encode_session(data: &impl Entries) -> Result<Vec<u8>> {
    let mut to = ToGob {
        tables: vec![own_types()],
    };
    let entries = data
        .entries()
        .map(|(k, v)| {
            Ok((
                to.iface("string", id::STRING, Dyn::Str(k.as_bytes().to_vec())),
                to.value(v)?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    Writer::new(to.tables.iter().collect()).top(0, TOP, &Dyn::Map(entries))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test helpers")]
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// Streams written by Go 1.19's `gob.NewEncoder(&b).Encode(map[interface{}]interface{}{...})`, each the
    /// first of its types in a fresh process (so the ids are the ones our writer assigns).
    const GO: [(&str, &str); 3] = [
        (
            "user: alice",
            "0eff81040102ff820001100110000023ff82000106737472696e670c0600047573657206737472696e670c070005616c696365",
        ),
        (
            "n: int64(5)",
            "0eff81040102ff82000110011000001aff82000106737472696e670c0300016e05696e7436340402000a",
        ),
        (
            "l: []interface{}{1, map[string]interface{}{\"a\": 1}}",
            "0eff81040102ff82000110011000002bff82000106737472696e670c0300016c0e5b5d696e74657266616365207b7dff83020102ff84000110000043ff8430000203696e7404020002176d61705b737472696e675d696e74657266616365207b7dff85040102ff8600010c011000000fff860c0001016103696e7404020002",
        ),
    ];

    #[test]
    fn go_streams_read_and_write_back_byte_for_byte() {
        for (what, stream) in GO {
            let bytes = hex(stream);
            let mut reader = Reader::new(&bytes, 1000);
            let (ty, value) = reader.top().unwrap();
            assert!(
                matches!(reader.types[&ty].kind, Kind::Map { key: 8, elem: 8 }),
                "{what}"
            );
            let again = Writer::new(vec![&reader.types]).top(0, ty, &value).unwrap();
            assert_eq!(again, bytes, "{what}");
        }
    }

    #[test]
    fn a_struct_and_a_time_keep_their_shape() {
        // main.User{"bob", 3, []string{"a"}} (its []string defined in a message of its own), and a time.Time
        // (a GobEncoder), each under ids an earlier encoding in the process had taken.
        let user = hex(
            "0eff81040102ff820001100110000047ff82000106737472696e670c03000175096d61696e2e55736572ff8b030101045573657201ff8c00010301044e616d65010c00010341676501040001045461677301ff8a0000000cff89020102ff8a00010c00000fff8c0c0103626f6201060101016100",
        );
        let mut reader = Reader::new(&user, 1000);
        let (_, value) = reader.top().unwrap();
        let Dyn::Map(entries) = &value else { panic!() };
        let Dyn::Iface(Some(u)) = &entries[0].1 else { panic!() };
        assert_eq!(u.name, "main.User");
        assert_eq!(
            u.value,
            Dyn::Struct(vec![
                (0, Dyn::Str(b"bob".to_vec())),
                (1, Dyn::Int(3)),
                (2, Dyn::Seq(vec![Dyn::Str(b"a".to_vec())])),
            ])
        );
        let time = hex(
            "0eff81040102ff82000110011000002aff82000106737472696e670c030001740974696d652e54696d65ff870501010454696d6501ff8800000014ff8811000f010000000edce5e80000000000ffff",
        );
        let mut reader = Reader::new(&time, 1000);
        let (ty, value) = reader.top().unwrap();
        let Dyn::Map(entries) = &value else { panic!() };
        let Dyn::Iface(Some(t)) = &entries[0].1 else { panic!() };
        assert_eq!(reader.types[&t.ty].name, "Time");
        assert_eq!(t.value, Dyn::Encoded(hex("010000000edce5e80000000000ffff")));
        // Written again: the same bytes but for the ids, which start over at 65.
        let again = Writer::new(vec![&reader.types]).top(0, ty, &value).unwrap();
        let mut reread = Reader::new(&again, 1000);
        let (_, value_again) = reread.top().unwrap();
        let Dyn::Map(entries) = &value_again else { panic!() };
        let Dyn::Iface(Some(t_again)) = &entries[0].1 else {
            panic!()
        };
        assert_eq!((t_again.ty, &t_again.value), (66, &t.value));
        assert_eq!(reread.types[&66].name, "Time");
    }

    #[test]
    fn numbers_are_written_as_go_writes_them() {
        for (i, bytes) in [
            (0i64, "00"),
            (-1, "01"),
            (1, "02"),
            (-129, "fe0101"),
            (i64::MIN, "f8ffffffffffffffff"),
        ] {
            let mut out = Vec::new();
            put_int(&mut out, i);
            assert_eq!(out, hex(bytes), "{i}");
            assert_eq!(int_of(take_uint(&mut out.as_slice()).unwrap()), i);
        }
        let mut out = Vec::new();
        put_float(&mut out, 1.5);
        assert_eq!(out, hex("fef83f"));
    }

    #[test]
    fn hostile_streams_are_refused_without_panics() {
        let cases: [&[u8]; 8] = [
            b"",
            &[0x05, 0x04, 0x00],                   // a message longer than the data
            &[0x03, 0x7f, 0x00, 0x00],             // a value of an undefined type
            &[0x02, 0x01, 0x00],                   // a defined type with a reserved id (-1)
            &[0x03, 0x04, 0x00, 0xf7],             // an int of 9 bytes
            &[0x05, 0x0c, 0x00, 0xf8, 0xff, 0xff], // a string longer than the message
            &[0x03, 0xff, 0x81, 0x00],             // an empty definition
            &[0x09, 0xff, 0x81, 0x04, 0x01, 0x02, 0xff, 0x82, 0x00, 0x01], // a truncated definition
        ];
        for case in cases {
            assert!(Reader::new(case, 1000).top().is_err(), "{case:?}");
        }
    }

    #[test]
    fn nesting_and_counts_are_bounded() {
        // []interface{} holding itself 100 deep.
        let mut types = Table::new();
        types.insert(
            65,
            Def {
                name: String::new(),
                kind: Kind::Slice { elem: id::INTERFACE },
            },
        );
        let mut value = Dyn::Seq(Vec::new());
        for _ in 0..100 {
            value = Dyn::Seq(vec![Dyn::Iface(Some(Box::new(Iface {
                name: "[]interface {}".into(),
                table: 0,
                ty: 65,
                value,
            })))]);
        }
        let bytes = Writer::new(vec![&types]).top(0, 65, &value).unwrap();
        assert!(Reader::new(&bytes, 100_000).top().is_err());
        // The value budget.
        let flat = Dyn::Seq(vec![Dyn::Iface(None); 50]);
        let bytes = Writer::new(vec![&types]).top(0, 65, &flat).unwrap();
        assert!(Reader::new(&bytes, 60).top().is_ok());
        assert!(Reader::new(&bytes, 40).top().is_err());
    }

    /// Values are read to depth `MAX_DEPTH` and no deeper, through every container: a chain of n slices,
    /// arrays, maps by value, maps by key or structs, each holding an interface holding the next (the i-th at depth
    /// 2(i - 1)), the last one's interface holding an empty slice (depth 2n) or nil (depth 2n - 1).
    #[test]
    fn nesting_is_read_to_max_depth_and_no_further() {
        let mut types = Table::new();
        for (ty, kind) in [
            (65, Kind::Slice { elem: id::INTERFACE }),
            (
                66,
                Kind::Array {
                    elem: id::INTERFACE,
                    len: 1,
                },
            ),
            (
                67,
                Kind::Map {
                    key: id::INTERFACE,
                    elem: id::INTERFACE,
                },
            ),
            (
                68,
                Kind::Struct {
                    fields: vec![("A".into(), id::INTERFACE)],
                },
            ),
        ] {
            types.insert(
                ty,
                Def {
                    name: String::new(),
                    kind,
                },
            );
        }
        let hold = |shape: &str, inner: Option<Iface>| {
            let inner = Dyn::Iface(inner.map(Box::new));
            match shape {
                "map value" => Dyn::Map(vec![(Dyn::Iface(None), inner)]),
                "map key" => Dyn::Map(vec![(inner, Dyn::Iface(None))]),
                "struct" => Dyn::Struct(vec![(0, inner)]),
                _ => Dyn::Seq(vec![inner]),
            }
        };
        let iface = |ty: i64, value: Dyn| Iface {
            name: "x".into(),
            table: 0,
            ty,
            value,
        };
        for (shape, ty) in [
            ("slice", 65),
            ("array", 66),
            ("map value", 67),
            ("map key", 67),
            ("struct", 68),
        ] {
            let chain = |n: usize, empty_slice: bool| {
                let mut value = hold(shape, empty_slice.then(|| iface(65, Dyn::Seq(Vec::new()))));
                for _ in 1..n {
                    value = hold(shape, Some(iface(ty, value)));
                }
                let bytes = Writer::new(vec![&types]).top(0, ty, &value).unwrap();
                Reader::new(&bytes, 1000).top()
            };
            let n = MAX_DEPTH / 2;
            assert!(chain(n, true).is_ok(), "{shape}: depth MAX_DEPTH");
            assert!(chain(n + 1, false).is_err(), "{shape}: depth MAX_DEPTH + 1");
            assert!(chain(n + 1, true).is_err(), "{shape}: depth MAX_DEPTH + 2");
        }
    }

    /// A session written by Go: the model's values, and Go's own types kept as they came.
    #[test]
    fn sessions_map_to_the_model_and_back() {
        let bytes = hex(GO[1].1);
        let map = decode_session(&bytes, 1000).unwrap();
        let Value::Foreign(f) = &map["n"] else {
            panic!("{map:?}")
        };
        assert_eq!((f.type_name(), f.value()), ("int64", Some(&Value::Int(5))));
        assert_eq!(encode_session(&map).unwrap(), bytes);
        let bytes = hex(GO[2].1);
        let map = decode_session(&bytes, 1000).unwrap();
        let mut inner = Map::new();
        inner.insert("a".into(), Value::Int(1));
        assert_eq!(map["l"], Value::List(vec![Value::Int(1), Value::Dict(inner)]));
        assert_eq!(encode_session(&map).unwrap(), bytes);
        let bytes = hex(GO[0].1);
        let map = decode_session(&bytes, 1000).unwrap();
        assert_eq!(map["user"], Value::Str("alice".into()));
        assert_eq!(encode_session(&map).unwrap(), bytes);
    }

    /// An unknown type holding interfaces (`[]intezface {}`, found by the fuzzer): its values keep their types
    /// when written back.
    #[test]
    fn a_foreign_value_holding_interfaces_is_written_back() {
        let bytes = hex(&GO[2]
            .1
            .replace("5b5d696e74657266616365207b7d", "5b5d696e74657a66616365207b7d"));
        let map = decode_session(&bytes, 1000).unwrap();
        let Value::Foreign(f) = &map["l"] else {
            panic!("{map:?}")
        };
        assert_eq!((f.type_name(), f.value()), ("[]intezface {}", None));
        let again = encode_session(&map).unwrap();
        assert_eq!(decode_session(&again, 1000).unwrap(), map);
        assert_eq!(again, bytes);
    }

    /// A key of another type than `string` (Go's `map[interface{}]interface{}{7: "seven"}`, or a nil key) is
    /// refused, and the error says which.
    #[test]
    fn a_key_that_is_not_a_string_is_refused_by_name() {
        let int_key = hex("0eff81040102ff82000110011000001cff82000103696e740402000e06737472696e670c070005736576656e");
        let e = decode_session(&int_key, 1000).unwrap_err().to_string();
        assert!(e.contains("a session key of type int; keys are strings"), "{e}");
        let nil_key = hex("0eff81040102ff820001100110000011ff8200010006737472696e670c03000178");
        let e = decode_session(&nil_key, 1000).unwrap_err().to_string();
        assert!(e.contains("a nil session key"), "{e}");
    }

    /// Another serializer's foreign value is written as its plain value, even when its bytes would read as
    /// gob; only gob's own are written back as they came.
    #[test]
    fn only_gobs_own_foreign_values_are_written_as_they_came() {
        let int64 = decode_session(&hex(GO[1].1), 1000).unwrap().remove("n").unwrap();
        let Value::Foreign(gob_int) = &int64 else { panic!() };
        let mut map = Map::new();
        map.insert(
            "n".into(),
            Value::Foreign(Box::new(Foreign::new(
                "php",
                "int64",
                gob_int.encoded().to_vec(),
                Some(Value::Int(7)),
            ))),
        );
        assert_eq!(
            decode_session(&encode_session(&map).unwrap(), 1000).unwrap()["n"],
            Value::Int(7)
        );
        map.insert("n".into(), int64.clone());
        assert_eq!(
            decode_session(&encode_session(&map).unwrap(), 1000).unwrap()["n"],
            int64
        );
    }

    #[test]
    fn trailing_bytes_are_ignored_like_go() {
        let mut bytes = hex(GO[0].1);
        let (_, value) = Reader::new(&bytes, 1000).top().unwrap();
        bytes.extend_from_slice(b"\xff\xffjunk");
        assert_eq!(Reader::new(&bytes, 1000).top().unwrap().1, value);
    }
}
