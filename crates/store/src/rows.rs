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
                    // No table of the store holds a float, and SQLite's
                    // JSON reader does not read every double back bit for
                    // bit (2 of 10,050 in this module's test): refused.
                    Some(SqliteArgumentValue::Double(d)) => {
                        self.error = Some(StoreError::StoredDataInvalid {
                            what: "valeur à écrire",
                            detail: format!("nombre à virgule ({d}) : écrit en masse, il ne se relirait pas à l'identique"),
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

#[cfg(test)]
mod tests {
    //! The JSON path against the bound path: the same values written both
    //! ways into two tables of a real file must read back identical, value
    //! and type.
    use super::*;
    use chrono::{DateTime, TimeZone, Utc};
    use sqlx::{Connection, Row};

    struct Sample {
        id: uuid::Uuid,
        text: String,
        maybe: Option<String>,
        n: i64,
        flag: bool,
        at: DateTime<Utc>,
        real: f64,
        bytes: Option<uuid::Uuid>,
    }

    fn samples() -> Vec<Sample> {
        let texts = [
            String::new(),
            "a \"quoted\" \\ back\\slash".to_owned(),
            "line one\nline two\r\n\ttab".to_owned(),
            "Hélène Dupré — 漢字 🙂".to_owned(),
            "\u{1}\u{1f} control".to_owned(),
            "nul \u{0} inside".to_owned(),
            "123".to_owned(),
            "null".to_owned(),
            "x".repeat(5_000),
        ];
        (0..10_050)
            .map(|i| {
                let i64i = i64::try_from(i).unwrap();
                Sample {
                    id: uuid::Uuid::now_v7(),
                    text: texts[i % texts.len()].clone(),
                    maybe: (i % 3 == 0).then(|| format!("option {i}")),
                    n: match i % 4 {
                        0 => i64::MIN,
                        1 => i64::MAX,
                        2 => 0,
                        _ => -i64i,
                    },
                    flag: i % 2 == 0,
                    at: Utc
                        .timestamp_opt(1_764_580_000 + i64i, 123_456_789)
                        .unwrap(),
                    real: 1.5 + f64::from(u32::try_from(i).unwrap()) * 1e-7,
                    bytes: (i % 5 != 0).then(uuid::Uuid::now_v7),
                }
            })
            .collect()
    }

    async fn connection(dir: &tempfile::TempDir) -> SqliteConnection {
        let mut c = SqliteConnection::connect_with(
            &sqlx::sqlite::SqliteConnectOptions::new()
                .filename(dir.path().join("rows.sqlite"))
                .create_if_missing(true),
        )
        .await
        .unwrap();
        for t in ["by_json", "by_bind"] {
            sqlx::query(&format!(
                "CREATE TABLE {t} (id BLOB PRIMARY KEY, text TEXT NOT NULL, maybe TEXT,
                   n INTEGER NOT NULL, flag INTEGER NOT NULL, at TEXT NOT NULL,
                   real REAL, bytes BLOB) STRICT"
            ))
            .execute(&mut c)
            .await
            .unwrap();
        }
        c
    }

    #[tokio::test]
    async fn json_rows_read_back_as_bound_values() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = connection(&dir).await;
        let rows = samples();
        insert_rows(
            &mut c,
            "INSERT INTO by_json (id, text, maybe, n, flag, at, bytes) ",
            &rows,
            |mut b, r| {
                b.push_bind(r.id)
                    .push_bind(r.text.as_str())
                    .push_bind(r.maybe.as_deref())
                    .push_bind(r.n)
                    .push_bind(r.flag)
                    .push_bind(r.at)
                    .push_bind(r.bytes);
            },
        )
        .await
        .unwrap();
        let mut tx = c.begin().await.unwrap();
        for r in &rows {
            sqlx::query("INSERT INTO by_bind (id, text, maybe, n, flag, at, bytes) VALUES (?, ?, ?, ?, ?, ?, ?)")
                .bind(r.id)
                .bind(r.text.as_str())
                .bind(r.maybe.as_deref())
                .bind(r.n)
                .bind(r.flag)
                .bind(r.at)
                .bind(r.bytes)
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM by_json")
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert_eq!(count, 10_050, "more rows than one statement takes");
        // Every value and its type, both ways round.
        let typed = |t: &str| {
            format!(
                "SELECT id, text, maybe, n, flag, at, bytes, typeof(id), typeof(maybe),
                        typeof(n), typeof(at), typeof(bytes) FROM {t}"
            )
        };
        for (a, b) in [("by_json", "by_bind"), ("by_bind", "by_json")] {
            let differ: i64 = sqlx::query_scalar(&format!(
                "SELECT count(*) FROM ({} EXCEPT {})",
                typed(a),
                typed(b)
            ))
            .fetch_one(&mut c)
            .await
            .unwrap();
            assert_eq!(differ, 0, "rows of {a} not in {b}");
        }
        let back = sqlx::query("SELECT text FROM by_json WHERE id = ?")
            .bind(rows[3].id)
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert_eq!(back.get::<String, _>(0), "Hélène Dupré — 漢字 🙂");
    }

    async fn write_text(
        c: &mut SqliteConnection,
        rows: &[Sample],
        text: &'static str,
    ) -> Result<()> {
        upsert_rows(
            c,
            "INSERT INTO by_json (id, text, n, flag, at) ",
            " ON CONFLICT (id) DO UPDATE SET text = excluded.text",
            rows,
            |mut b, r| {
                b.push_bind(r.id)
                    .push_bind(text)
                    .push_bind(r.n)
                    .push_bind(r.flag)
                    .push_bind(r.at);
            },
        )
        .await
    }

    #[tokio::test]
    async fn an_upsert_updates_and_a_bad_batch_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = connection(&dir).await;
        let rows = samples();
        let rows = &rows[..3];
        write_text(&mut c, rows, "first").await.unwrap();
        write_text(&mut c, rows, "second").await.unwrap();
        let texts: Vec<String> = sqlx::query_scalar("SELECT text FROM by_json")
            .fetch_all(&mut c)
            .await
            .unwrap();
        assert_eq!(texts, ["second", "second", "second"]);

        // Text in a column that held bytes in another row: refused, named.
        let e = insert_rows(
            &mut c,
            "INSERT INTO by_bind (id, text, n, flag, at) ",
            rows,
            |mut b, r| {
                if r.flag {
                    b.push_bind(r.id);
                } else {
                    b.push_bind("not an id");
                }
                b.push_bind("t")
                    .push_bind(r.n)
                    .push_bind(r.flag)
                    .push_bind(r.at);
            },
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("colonne 0"), "{e}");
        // A row shorter than the first: refused before anything is sent.
        let e = insert_rows(
            &mut c,
            "INSERT INTO by_bind (id, text, n, flag, at) ",
            rows,
            |mut b, r| {
                b.push_bind(r.id).push_bind("t").push_bind(r.n);
                if r.flag {
                    b.push_bind(r.flag).push_bind(r.at);
                }
            },
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("colonnes"), "{e}");
        // A float: refused (it would not read back bit for bit).
        let e = insert_rows(
            &mut c,
            "INSERT INTO by_bind (id, text, n, flag, at, real) ",
            rows,
            |mut b, r| {
                b.push_bind(r.id)
                    .push_bind("t")
                    .push_bind(r.n)
                    .push_bind(r.flag)
                    .push_bind(r.at)
                    .push_bind(r.real);
            },
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("virgule"), "{e}");
        // A value SQLite refuses (a NOT NULL column given null): the
        // statement fails whole.
        let e = insert_rows(
            &mut c,
            "INSERT INTO by_bind (id, text, n, flag, at) ",
            rows,
            |mut b, r| {
                b.push_bind(r.id)
                    .push_bind((!r.flag).then_some("t"))
                    .push_bind(r.n)
                    .push_bind(r.flag)
                    .push_bind(r.at);
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(e, StoreError::Sqlx(_)), "{e}");
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM by_bind")
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert_eq!(n, 0, "nothing written by a refused batch");
    }
}
