//! A ledger row as canonical JSON (规范化 JSON: keys sorted, compact) — exactly the text
//! `serde_json::to_value(row)?.to_string()` gives, which the seals digest. A flat struct (every
//! field a scalar: every entity model) is written field by field into one buffer and its fields
//! put in key order, without building the value tree; anything else takes the value-tree path.

use serde::Serialize;
use serde::ser::{self, Impossible, SerializeStruct};

/// Why the fast path gave up: the row is not a flat struct (or a field failed to serialize).
#[derive(Debug)]
struct NotFlat;

impl std::fmt::Display for NotFlat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a flat struct")
    }
}

impl std::error::Error for NotFlat {}

impl ser::Error for NotFlat {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        NotFlat
    }
}

/// The fields of a flat struct: each one's JSON in `buf`, by key.
#[derive(Default)]
struct Fields {
    buf: Vec<u8>,
    fields: Vec<(&'static str, std::ops::Range<usize>)>,
}

/// The top-level serializer: accepts a struct, refuses everything else.
struct Flat<'a>(&'a mut Fields);

macro_rules! not_flat {
    ($($name:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $name(self, $(_: $arg),*) -> Result<(), NotFlat> { Err(NotFlat) })*
    };
}

impl<'a> ser::Serializer for Flat<'a> {
    type Ok = ();
    type Error = NotFlat;
    type SerializeSeq = Impossible<(), NotFlat>;
    type SerializeTuple = Impossible<(), NotFlat>;
    type SerializeTupleStruct = Impossible<(), NotFlat>;
    type SerializeTupleVariant = Impossible<(), NotFlat>;
    type SerializeMap = Impossible<(), NotFlat>;
    type SerializeStruct = Flat<'a>;
    type SerializeStructVariant = Impossible<(), NotFlat>;

    not_flat!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );

    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<(), NotFlat> {
        Err(NotFlat)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, _: &T) -> Result<(), NotFlat> {
        Err(NotFlat)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), NotFlat> {
        Err(NotFlat)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotFlat> {
        Err(NotFlat)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotFlat> {
        Err(NotFlat)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, NotFlat> {
        Err(NotFlat)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotFlat> {
        Err(NotFlat)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotFlat> {
        Err(NotFlat)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, NotFlat> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotFlat> {
        Err(NotFlat)
    }
}

impl SerializeStruct for Flat<'_> {
    type Ok = ();
    type Error = NotFlat;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), NotFlat> {
        let start = self.0.buf.len();
        serde_json::to_writer(&mut self.0.buf, value).map_err(|_| NotFlat)?;
        // A nested object (or an array that may hold one) has keys of its own to sort.
        if matches!(self.0.buf.get(start), Some(b'{' | b'[')) {
            return Err(NotFlat);
        }
        self.0.fields.push((key, start..self.0.buf.len()));
        Ok(())
    }

    fn end(self) -> Result<(), NotFlat> {
        Ok(())
    }
}

/// The row's canonical JSON and its `id_col` field as text (`17`; a string without its quotes).
///
/// # Errors
/// When the row does not serialize.
pub fn of<M: Serialize>(row: &M, id_col: &str) -> serde_json::Result<(String, String)> {
    let mut f = Fields::default();
    if row.serialize(Flat(&mut f)).is_ok() {
        f.fields.sort_by_key(|(key, _)| *key);
        let mut out = Vec::with_capacity(f.buf.len() + 16 * f.fields.len());
        out.push(b'{');
        let mut id = String::new();
        for (i, (key, range)) in f.fields.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            serde_json::to_writer(&mut out, key)?;
            out.push(b':');
            out.extend_from_slice(&f.buf[range.clone()]);
            if *key == id_col {
                let json = &f.buf[range.clone()];
                id = if json.first() == Some(&b'"') {
                    serde_json::from_slice(json)?
                } else {
                    String::from_utf8_lossy(json).into_owned()
                };
            }
        }
        out.push(b'}');
        // serde_json writes UTF-8 only.
        return Ok((String::from_utf8_lossy(&out).into_owned(), id));
    }
    let value = serde_json::to_value(row)?;
    let id = match &value[id_col] {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Ok((value.to_string(), id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Serialize)]
    struct Row {
        id: i32,
        zeta: String,
        alpha: Option<String>,
        #[serde(rename = "mid\"key")]
        mid: bool,
        amount_fen: i64,
        ratio: f64,
        date: chrono::NaiveDate,
    }

    #[derive(Serialize)]
    struct Nested {
        id: i32,
        inner: std::collections::HashMap<String, i32>,
    }

    fn via_value<M: Serialize>(row: &M, id: &str) -> (String, String) {
        let v = serde_json::to_value(row).unwrap();
        (v.to_string(), crate::service::seal::row_id(&v, id))
    }

    proptest! {
        #[test]
        fn a_flat_row_reads_as_its_value_tree_does(
            id in any::<i32>(), zeta in any::<String>(), alpha in proptest::option::of(any::<String>()),
            mid in any::<bool>(), amount_fen in any::<i64>(), ratio in -1e9f64..1e9,
        ) {
            let row = Row { id, zeta, alpha, mid, amount_fen, ratio, date: chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap() };
            prop_assert_eq!(of(&row, "id").unwrap(), via_value(&row, "id"));
            prop_assert_eq!(of(&row, "zeta").unwrap(), via_value(&row, "zeta"));
        }
    }

    #[test]
    fn a_nested_row_takes_the_value_tree_and_its_keys_are_sorted() {
        let mut inner = std::collections::HashMap::new();
        for (i, k) in ["b", "a", "c", "aa"].iter().enumerate() {
            inner.insert((*k).to_string(), i as i32);
        }
        let row = Nested { id: 7, inner };
        let (text, id) = of(&row, "id").unwrap();
        assert_eq!(text, r#"{"id":7,"inner":{"a":1,"aa":3,"b":0,"c":2}}"#);
        assert_eq!(id, "7");
    }

    #[test]
    fn an_entity_model_reads_as_its_value_tree_does() {
        let a = entity::allocations::Model {
            id: 12,
            distribution_id: 3,
            household_id: 44,
            number: "H\"0\\01\u{1f}".into(),
            head_name: "王建国".into(),
            members: 4,
            status: "lifted".into(),
            labour: "full".into(),
            weight: "1.5".into(),
            dividend_fen: -1,
            post_wage_fen: i64::MAX,
            incentive_fen: 0,
            tax_withheld_fen: 0,
            total_fen: 100,
        };
        assert_eq!(of(&a, "id").unwrap(), via_value(&a, "id"));
    }
}
