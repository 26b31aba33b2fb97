//! Multi-row statements, the lowest layer of the store's writes: batched
//! INSERTs / upserts within SQLite's limit on bound values, and a setting
//! written in the caller's transaction. Imports nothing of the store but
//! its `Result`, so every module may use it.

use sqlx::query_builder::Separated;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::Result;

/// SQLite accepts 32,766 bound values per statement; stay well below.
const MAX_BINDS: usize = 30_000;

pub(crate) async fn insert_rows<'a, T: 'a>(
    conn: &mut SqliteConnection,
    head: &'static str,
    rows: &'a [T],
    binds_per_row: usize,
    bind: impl FnMut(Separated<'_, 'a, Sqlite, &'static str>, &'a T),
) -> Result<()> {
    upsert_rows(conn, head, "", rows, binds_per_row, bind).await
}

/// `head` VALUES (…), (…) `tail`: `tail` is the upsert clause.
pub(crate) async fn upsert_rows<'a, T: 'a>(
    conn: &mut SqliteConnection,
    head: &'static str,
    tail: &'static str,
    rows: &'a [T],
    binds_per_row: usize,
    mut bind: impl FnMut(Separated<'_, 'a, Sqlite, &'static str>, &'a T),
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    for chunk in rows.chunks((MAX_BINDS / binds_per_row).max(1)) {
        let mut qb: QueryBuilder<'a, Sqlite> = QueryBuilder::new(head);
        qb.push_values(chunk, &mut bind);
        qb.push(tail);
        qb.build().execute(&mut *conn).await?;
    }
    Ok(())
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
