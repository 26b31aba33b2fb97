//! Multi-row statements, the lowest layer of the store's writes: bulk
//! INSERTs / upserts of any number of rows in one small statement, and a
//! setting written in the caller's transaction. Imports nothing of the
//! store but its `Result`, so every module may use it.
//!
//! **How rows reach SQLite.** A batch of rows is not bound value by value
//! (a multi-row `VALUES` list of thousands of placeholders: a statement
//! SQLite parses and plans again for every chunk, and one sqlx argument a
//! value): each value is encoded by sqlx's own `Encode` — the very text,
//! integer or bytes a bound value would be — and written into one JSON
//! array of rows, bound once; the statement reads it back with
//! `json_each`, `value ->> N` for the N-th column (`unhex` for ids and
//! other blobs). The statement's text depends on the table only, so sqlx
//! prepares it once per connection and reuses it for every batch.

use sqlx::encode::IsNull;
use sqlx::sqlite::SqliteArgumentValue;
use sqlx::{Encode, Sqlite, SqliteConnection};

use crate::{Result, StoreError};

/// Rows a statement at most (its JSON stays a few megabytes).
const MAX_ROWS: usize = 10_000;

/// The values of one row, in the order of the statement's columns.
pub(crate) struct RowValues<'e, 'a> {
    rows: &'e mut JsonRows<'a>,
}

impl<'a> RowValues<'_, 'a> {
    /// The next column's value, encoded as sqlx would bind it.
    pub fn push_bind<T: Encode<'a, Sqlite>>(&mut self, value: T) -> &mut Self {
        self.rows.push(value);
        self
    }
}

/// Rows written as one JSON array of arrays.
struct JsonRows<'a> {
    json: Vec<u8>,
    /// Per column: whether a row held bytes there (read back with `unhex`).
    blob: Vec<bool>,
    /// Per column: whether a row held text there.
    text: Vec<bool>,
    /// Columns of the row being written.
    col: usize,
    scratch: Vec<SqliteArgumentValue<'a>>,
    error: Option<StoreError>,
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl<'a> JsonRows<'a> {
    fn new(rows: usize) -> Self {
        JsonRows {
            json: Vec::with_capacity(rows * 96 + 2),
            blob: Vec::new(),
            text: Vec::new(),
            col: 0,
            scratch: Vec::with_capacity(1),
            error: None,
        }
    }

    fn push<T: Encode<'a, Sqlite>>(&mut self, value: T) {
        if self.error.is_some() {
            return;
        }
        if self.col > 0 {
            self.json.push(b',');
        }
        let col = self.col;
        self.col += 1;
        if self.blob.len() < self.col {
            self.blob.push(false);
            self.text.push(false);
        }
        self.scratch.clear();
        match value.encode(&mut self.scratch) {
            Ok(IsNull::Yes) => self.json.extend_from_slice(b"null"),
            Ok(IsNull::No) => {
                let v = self.scratch.pop();
                self.scratch.clear();
                match v {
                    None | Some(SqliteArgumentValue::Null) => self.json.extend_from_slice(b"null"),
                    Some(SqliteArgumentValue::Int(i)) => {
                        self.json.extend_from_slice(i.to_string().as_bytes())
                    }
                    Some(SqliteArgumentValue::Int64(i)) => {
                        self.json.extend_from_slice(i.to_string().as_bytes())
                    }
                    Some(SqliteArgumentValue::Double(d)) if d.is_finite() => {
                        // serde_json writes the shortest text that reads back as `d`.
                        let _ = serde_json::to_writer(&mut self.json, &d);
                    }
                    Some(SqliteArgumentValue::Double(d)) => {
                        self.error = Some(StoreError::StoredDataInvalid {
                            what: "valeur à écrire",
                            detail: format!("nombre non fini: {d}"),
                        })
                    }
                    Some(SqliteArgumentValue::Text(s)) => {
                        self.text[col] = true;
                        // A JSON string: `serde_json` escapes as JSON says.
                        let _ = serde_json::to_writer(&mut self.json, &*s);
                    }
                    Some(SqliteArgumentValue::Blob(b)) => {
                        self.blob[col] = true;
                        self.json.reserve(b.len() * 2 + 2);
                        self.json.push(b'"');
                        for byte in b.iter() {
                            self.json.push(HEX[usize::from(byte >> 4)]);
                            self.json.push(HEX[usize::from(byte & 0xf)]);
                        }
                        self.json.push(b'"');
                    }
                }
            }
            Err(e) => self.error = Some(StoreError::Sqlx(sqlx::Error::Encode(e))),
        }
    }

    /// Ends a row: every row has as many columns as the first.
    fn end_row(&mut self) -> Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if self.col != self.blob.len() {
            return Err(StoreError::StoredDataInvalid {
                what: "lignes écrites en masse",
                detail: format!("{} colonnes au lieu de {}", self.col, self.blob.len()),
            });
        }
        self.col = 0;
        Ok(())
    }

    /// The columns as the statement reads them back from `value`.
    fn select(&self) -> Result<String> {
        let mut cols = Vec::with_capacity(self.blob.len());
        for (i, (&blob, &text)) in self.blob.iter().zip(&self.text).enumerate() {
            cols.push(match (blob, text) {
                (true, true) => {
                    return Err(StoreError::StoredDataInvalid {
                        what: "lignes écrites en masse",
                        detail: format!("colonne {i}: du texte et des octets"),
                    })
                }
                (true, false) => format!("unhex(value ->> {i})"),
                (false, _) => format!("value ->> {i}"),
            });
        }
        Ok(cols.join(", "))
    }
}

/// Encodes `rows` and runs `head` SELECT … FROM json_each(?) WHERE true
/// `tail` for every chunk. `select` gives the selected expressions
/// (`value ->> N`…) when the caller needs more than one column per value.
async fn write_json<'a, T: 'a>(
    conn: &mut SqliteConnection,
    head: &str,
    select: Option<&str>,
    tail: &str,
    rows: &'a [T],
    mut bind: impl FnMut(RowValues<'_, 'a>, &'a T),
) -> Result<()> {
    for chunk in rows.chunks(MAX_ROWS) {
        let mut json = JsonRows::new(chunk.len());
        json.json.push(b'[');
        for (n, row) in chunk.iter().enumerate() {
            if n > 0 {
                json.json.push(b',');
            }
            json.json.push(b'[');
            bind(RowValues { rows: &mut json }, row);
            json.end_row()?;
            json.json.push(b']');
        }
        json.json.push(b']');
        let exprs = match select {
            Some(s) => s.to_owned(),
            None => json.select()?,
        };
        let sql = format!("{head}SELECT {exprs} FROM json_each(?) WHERE true{tail}");
        let text = String::from_utf8(json.json).map_err(|e| StoreError::StoredDataInvalid {
            what: "lignes écrites en masse",
            detail: e.to_string(),
        })?;
        sqlx::query(&sql).bind(text).execute(&mut *conn).await?;
    }
    Ok(())
}

/// `head` (`INSERT INTO t (a, b, …) `) with `rows`, one value a column.
pub(crate) async fn insert_rows<'a, T: 'a>(
    conn: &mut SqliteConnection,
    head: &'static str,
    rows: &'a [T],
    bind: impl FnMut(RowValues<'_, 'a>, &'a T),
) -> Result<()> {
    upsert_rows(conn, head, "", rows, bind).await
}

/// `head` (`INSERT INTO t (a, b, …) `) with `rows`, then `tail`, the
/// upsert clause (`ON CONFLICT …`).
pub(crate) async fn upsert_rows<'a, T: 'a>(
    conn: &mut SqliteConnection,
    head: &'static str,
    tail: &'static str,
    rows: &'a [T],
    bind: impl FnMut(RowValues<'_, 'a>, &'a T),
) -> Result<()> {
    write_json(conn, head, None, tail, rows, bind).await
}

/// `head` with `rows` read back by the caller's own expressions
/// (`select`, over `value ->> N`): a column computed from a value.
pub(crate) async fn insert_selected<'a, T: 'a>(
    conn: &mut SqliteConnection,
    head: &'static str,
    select: &'static str,
    rows: &'a [T],
    bind: impl FnMut(RowValues<'_, 'a>, &'a T),
) -> Result<()> {
    write_json(conn, head, Some(select), "", rows, bind).await
}

/// Ids as one JSON array of their hex forms (bound once, read back as the
/// stored blobs with `json_each` and `unhex` by one statement a page).
pub(crate) fn id_list(ids: impl Iterator<Item = uuid::Uuid>) -> String {
    serde_json::Value::Array(
        ids.map(|i| serde_json::Value::String(i.simple().to_string()))
            .collect(),
    )
    .to_string()
}

/// Writes a counter setting in the caller's transaction.
pub(crate) async fn set_setting(conn: &mut SqliteConnection, key: &str, value: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES (?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(conn)
    .await?;
    Ok(())
}
