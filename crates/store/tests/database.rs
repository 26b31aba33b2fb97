//! Opening, migrating and writing the real database file: bad files get a
//! clear error and are left untouched; writes are all-or-nothing.
#![allow(clippy::unwrap_used)] // tests and benches: a failed unwrap is a failed run

mod common;

use common::RawPool;

use std::os::unix::fs::PermissionsExt;

use chrono::Utc;
use comptoir_core::ids::*;
use comptoir_core::model::Channel;
use comptoir_core::records::{OrderLineRecord, OrderRecord};
use comptoir_core::Cents;
use comptoir_demo::{DemoConfig, DemoError};
use comptoir_store::{BulkBatch, OpenMode, Store};

#[tokio::test]
async fn a_missing_file_is_an_error_unless_creation_is_asked() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::db_path(&dir);
    let e = Store::open(&path, OpenMode::MustExist).await.unwrap_err();
    assert_eq!(e.code(), "db_missing");
    assert!(e.message_fr().contains("introuvable"));
    assert!(!path.exists(), "MustExist must not create the file");

    let store = Store::open(&path, OpenMode::CreateIfMissing).await.unwrap();
    let settings = store.connection_settings().await.unwrap();
    assert_eq!(settings.journal_mode, "wal");
    assert!(settings.foreign_keys);
    assert_eq!(settings.busy_timeout_ms, 5000);
    assert_eq!(store.app_info().await.unwrap().customers, 0);
}

#[tokio::test]
async fn a_corrupt_file_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::db_path(&dir);
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();
    let e = Store::open(&path, OpenMode::MustExist).await.unwrap_err();
    assert_eq!(e.code(), "db_corrupt");
    assert!(e.message_fr().contains("endommagée"));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        garbage,
        "the file must not be modified"
    );
}

#[tokio::test]
async fn a_damaged_page_is_detected_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::db_path(&dir);
    let store = common::demo_store_at(&path, 50, 1).await;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
    // Keep the header and page 1 valid, scramble every page after it.
    let mut bytes = std::fs::read(&path).unwrap();
    for b in bytes.iter_mut().skip(4096) {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let e = Store::open(&path, OpenMode::MustExist).await.unwrap_err();
    assert_eq!(e.code(), "db_corrupt", "{e}");
}

#[tokio::test]
async fn a_read_only_file_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::db_path(&dir);
    Store::open(&path, OpenMode::CreateIfMissing)
        .await
        .unwrap()
        .close()
        .await;
    let before = std::fs::read(&path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let e = Store::open(&path, OpenMode::MustExist).await.unwrap_err();
    assert_eq!(e.code(), "db_read_only");
    assert!(e.message_fr().contains("lecture seule"));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[tokio::test]
async fn the_file_is_backed_up_before_a_migration_and_a_failed_one_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::db_path(&dir);
    let store = common::demo_store_at(&path, 30, 3).await;
    // Pretend the schema predates migration 1 (as a future migration would be
    // pending): opening must back up first. Re-running it fails (tables exist).
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 3")
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;

    let e = Store::open(&path, OpenMode::MustExist).await.unwrap_err();
    assert_eq!(e.code(), "db_migration_failed", "{e}");
    let backups: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".before-v") && n.ends_with(".bak"))
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    // The backup is a complete, openable database with the data.
    let backup = Store::open(&dir.path().join(&backups[0]), OpenMode::MustExist).await;
    // (It also lacks the migration row, so it fails the same way; read it raw.)
    assert!(backup.is_err());
    let pool = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        dir.path().join(&backups[0]).display()
    ))
    .await
    .unwrap();
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM customers")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 30);
}

fn order(customer: CustomerId, product: ProductId, number: &str, channel: Channel) -> OrderRecord {
    OrderRecord {
        id: OrderId::new(),
        number: number.into(),
        channel,
        marketplace: None,
        store_id: None,
        customer_id: customer,
        ordered_at: Utc::now(),
        delivered_at: None,
        total: Cents(1000),
        shipping: Cents::ZERO,
        payment_method: "Carte bancaire".into(),
        lines: vec![OrderLineRecord {
            id: OrderLineId::new(),
            line_no: 1,
            product_id: product,
            quantity: 1,
            unit_price: Cents(1000),
            serial_numbers: vec!["SN-1".into()],
        }],
    }
}

#[tokio::test]
async fn a_batch_with_one_bad_record_writes_nothing() {
    let (_dir, store) = common::demo_store(20).await;
    let customer: CustomerId = sqlx::query_scalar("SELECT id FROM customers LIMIT 1")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let product: ProductId = sqlx::query_scalar("SELECT id FROM products LIMIT 1")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let count = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM order_lines)",
        )
        .fetch_one(store.pool())
        .await
        .unwrap()
    };
    let before = count().await;

    // Validation refuses a store order without its store, before any write.
    let good = order(customer, product, "W99000001", Channel::Web);
    let bad = order(customer, product, "T-BAD-1", Channel::Store);
    let mut bulk = store.bulk_load().await.unwrap();
    let orders = [good.clone(), bad];
    let e = bulk
        .load(&BulkBatch {
            orders: &orders,
            ..BulkBatch::default()
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), "order_invalid");
    assert!(e.message_fr().contains("magasin"), "{}", e.message_fr());

    // A database constraint (unknown product) fails mid-way: rolled back whole.
    let mut orphan = order(customer, ProductId::new(), "W99000002", Channel::Web);
    orphan.lines[0].line_no = 1;
    let orders = [good, orphan];
    let e = bulk
        .load(&BulkBatch {
            orders: &orders,
            ..BulkBatch::default()
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), "database");
    bulk.finish().await.unwrap();
    assert_eq!(count().await, before);
}

#[tokio::test]
async fn dossier_events_are_append_only() {
    let (_dir, store) = common::demo_store(50).await;
    let e = sqlx::query("UPDATE dossier_events SET note = 'rewritten'")
        .execute(store.pool())
        .await;
    assert!(e.unwrap_err().to_string().contains("append-only"));
    let e = sqlx::query("DELETE FROM dossier_events")
        .execute(store.pool())
        .await;
    assert!(e.unwrap_err().to_string().contains("append-only"));
}

#[tokio::test]
async fn demo_data_is_deterministic_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let a = common::demo_store_at(&dir.path().join("a.sqlite"), 300, 7).await;
    let b = common::demo_store_at(&dir.path().join("b.sqlite"), 300, 7).await;
    let c = common::demo_store_at(&dir.path().join("c.sqlite"), 300, 8).await;
    let fingerprint = |s: Store| async move {
        let rows: Vec<(Vec<u8>, String, String)> = sqlx::query_as(
            "SELECT o.id, o.number, c.last_name FROM orders o JOIN customers c ON c.id = o.customer_id ORDER BY o.id",
        )
        .fetch_all(s.pool())
        .await
        .unwrap();
        rows
    };
    let (fa, fb, fc) = (
        fingerprint(a.clone()).await,
        fingerprint(b).await,
        fingerprint(c).await,
    );
    assert!(fa.len() > 300);
    assert_eq!(fa, fb, "same seed, same data");
    assert_ne!(fa, fc, "another seed, other data");

    let cfg = DemoConfig {
        customers: 10,
        seed: 7,
        as_of: common::as_of(),
        local_store: "LYO1".into(),
    };
    let e = comptoir_demo::generate(&a, &cfg, |_, _| {})
        .await
        .unwrap_err();
    assert!(matches!(e, DemoError::NotEmpty(300)), "{e}");
}

#[tokio::test]
async fn demo_data_looks_like_a_real_chain() {
    let (_dir, store) = common::demo_store(2_000).await;
    let pool = store.pool();
    // Every phone, however written, normalised to a valid French E.164 number.
    let bad: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM customer_contacts WHERE kind = 'phone' AND (length(value_norm) <> 11 OR value_norm NOT LIKE '33%')",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(bad, 0);
    let writings: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT CASE WHEN value LIKE '+33%' THEN 'intl' WHEN value LIKE '%.%' THEN 'dots'
                WHEN value LIKE '% %' THEN 'spaces' WHEN value LIKE '%-%' THEN 'dashes' ELSE 'plain' END)
         FROM customer_contacts WHERE kind = 'phone'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(writings, 5, "phones are written in varied formats");
    let channels: Vec<(String, i64)> =
        sqlx::query_as("SELECT channel, count(*) FROM orders GROUP BY channel ORDER BY channel")
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(channels.len(), 3, "{channels:?}");
    let marketplaces: i64 = sqlx::query_scalar("SELECT count(DISTINCT marketplace) FROM orders")
        .fetch_one(pool)
        .await
        .unwrap();
    assert!(marketplaces >= 4);
    let accented: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM customers WHERE first_name GLOB '*[éèëïîçô]*' OR last_name GLOB '*[éèëïîçô]*'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert!(accented > 200, "{accented}");
    let homonyms: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT 1 FROM customers GROUP BY first_name, last_name HAVING count(*) > 1)",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert!(homonyms > 10);
    let online: i64 = sqlx::query_scalar("SELECT count(*) FROM dossiers WHERE origin = 'web'")
        .fetch_one(pool)
        .await
        .unwrap();
    assert!(online > 10);
    let lines: i64 = sqlx::query_scalar("SELECT count(*) FROM order_lines")
        .fetch_one(pool)
        .await
        .unwrap();
    assert!(
        (8_000..12_000).contains(&lines),
        "about 5 lines per customer: {lines}"
    );
    let info = store.app_info().await.unwrap();
    assert_eq!(info.store.unwrap().name, "Lyon Part-Dieu");
    assert_eq!(info.customers, 2_000);
}

#[tokio::test]
async fn every_demo_timeline_is_a_legal_workflow_path() {
    use comptoir_core::records::DossierEventRecord;
    let (_dir, store) = common::demo_store(1_500).await;
    let rows: Vec<(DossierId, DossierEventId, chrono::DateTime<Utc>, String, String, Option<comptoir_core::model::DossierStatus>)> =
        sqlx::query_as("SELECT dossier_id, id, at, actor, kind, status_after FROM dossier_events ORDER BY dossier_id, at, id")
            .fetch_all(store.pool())
            .await
            .unwrap();
    let mut by_dossier: std::collections::BTreeMap<DossierId, Vec<DossierEventRecord>> =
        Default::default();
    for (d, id, at, actor, kind, status_after) in rows {
        by_dossier.entry(d).or_default().push(DossierEventRecord {
            id,
            at,
            actor,
            kind,
            status_after,
            note: None,
        });
    }
    assert!(by_dossier.len() > 100);
    for (d, events) in by_dossier {
        let status = comptoir_core::workflow::replay(&events)
            .unwrap_or_else(|e| panic!("dossier {d}: {}", e.message_fr()));
        let stored: comptoir_core::model::DossierStatus =
            sqlx::query_scalar("SELECT status FROM dossiers WHERE id = ?")
                .bind(d)
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(status, stored, "projection = fold of events");
    }
}

#[tokio::test]
async fn a_closed_database_is_one_self_contained_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::db_path(&dir);
    common::demo_store_at(&path, 200, 5).await.close().await;
    let wal = dir.path().join("comptoir.sqlite-wal");
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "WAL folded back at close"
    );
    // Moved alone, the file still holds everything.
    let moved = dir.path().join("moved.sqlite");
    std::fs::rename(&path, &moved).unwrap();
    let _ = std::fs::remove_file(&wal);
    let _ = std::fs::remove_file(dir.path().join("comptoir.sqlite-shm"));
    let store = Store::open(&moved, OpenMode::MustExist).await.unwrap();
    assert_eq!(store.app_info().await.unwrap().customers, 200);
}
