//! Search that forgives (issue 12), on a real SQLite file: spelling
//! mistakes, French sound-alikes, and French phone numbers of every region
//! in every writing.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

mod common;

use common::RawPool;

use std::time::{Duration, Instant};

use chrono::Utc;
use comptoir_core::ids::{ContactId, CustomerId};
use comptoir_core::model::ContactKind;
use comptoir_core::records::{ContactRecord, CustomerRecord};
use comptoir_core::views::{MatchKind, SearchResponse};
use comptoir_store::{BulkBatch, OpenMode, Store};

fn customer(first: &str, last: &str, city: &str, phone: Option<&str>) -> CustomerRecord {
    let now = Utc::now();
    CustomerRecord {
        id: CustomerId::new(),
        title: None,
        first_name: first.to_owned(),
        last_name: last.to_owned(),
        address_line1: "1 rue de la Paix".to_owned(),
        address_line2: None,
        postal_code: "75002".to_owned(),
        city: city.to_owned(),
        country: "FR".to_owned(),
        email_marketing: false,
        sms_marketing: false,
        consents_updated_at: None,
        created_at: now,
        updated_at: now,
        contacts: phone
            .map(|p| ContactRecord {
                id: ContactId::new(),
                kind: ContactKind::Phone,
                value: p.to_owned(),
                label: None,
                is_primary: true,
            })
            .into_iter()
            .collect(),
    }
}

async fn insert(store: &Store, customers: &[CustomerRecord]) {
    let mut bulk = store.bulk_load().await.unwrap();
    bulk.load(&BulkBatch {
        customers,
        ..BulkBatch::default()
    })
    .await
    .unwrap();
    bulk.finish().await.unwrap();
}

/// A store with the name families of the tests, among ordinary customers.
async fn families_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&common::db_path(&dir), OpenMode::CreateIfMissing)
        .await
        .unwrap();
    let people = [
        ("Anne", "Lefebvre", "Lille"),
        ("Paul", "Duprez", "Lyon"),
        ("Marc", "Châtelain", "Tours"),
        ("Mickaël", "Bernard", "Nantes"),
        ("Julie", "Gauthier", "Dijon"),
        ("Louis", "Rousseau", "Rennes"),
        ("Claire", "Caron", "Amiens"),
        ("Émile", "Martineau", "Poitiers"),
        ("Pierre", "Roy", "Brest"),
        ("Jacques", "Ray", "Metz"),
        ("Nadia", "Renault", "Angers"),
        ("Hugo", "Dupont", "Marseille"),
        ("Sophie", "Fontaine", "Grenoble"),
        ("Thomas", "Philippe", "Nancy"),
        ("Léa", "Mercier", "Reims"),
        ("Yanis", "Girard", "Toulon"),
        ("Inès", "Morel", "Nîmes"),
        ("Lucas", "Faure", "Limoges"),
        ("Chloé", "Lemaire", "Caen"),
        ("Enzo", "Moreau", "Orléans"),
    ];
    let customers: Vec<CustomerRecord> = people
        .iter()
        .map(|(f, l, c)| customer(f, l, c, None))
        .collect();
    insert(&store, &customers).await;
    (dir, store)
}

fn first(r: &SearchResponse) -> (&str, Option<&str>) {
    let h = r.hits.first().expect("a hit");
    (h.display_name.as_str(), h.matched_label.as_deref())
}

#[tokio::test]
async fn name_families_typed_as_heard_find_the_customer_first() {
    let (_dir, store) = families_store().await;
    // (typed, expected first, « why »)
    let table: &[(&str, &str, Option<&str>)] = &[
        // Accents and case are not mistakes.
        ("Chatelain", "Marc Châtelain", None),
        ("CHÂTELAIN", "Marc Châtelain", None),
        // One typo from 5 letters: insertion, deletion, substitution, swap.
        ("Lefèvre", "Anne Lefebvre", Some("orthographe proche")),
        ("Lefebre", "Anne Lefebvre", Some("orthographe proche")),
        ("Dupret", "Paul Duprez", Some("orthographe proche")),
        ("Mikael", "Mickaël Bernard", Some("orthographe proche")),
        ("Bernrad", "Mickaël Bernard", Some("orthographe proche")),
        (
            "mikael bernard",
            "Mickaël Bernard",
            Some("orthographe proche"),
        ),
        // Two typos from 9 letters.
        ("Martinaeu", "Émile Martineau", Some("orthographe proche")),
        ("Chatlaine", "Marc Châtelain", Some("orthographe proche")),
        // Sounds alike, too far to be a typo.
        ("Gotier", "Julie Gauthier", Some("prononciation proche")),
        ("Rousso", "Louis Rousseau", Some("prononciation proche")),
        ("Renaud", "Nadia Renault", Some("prononciation proche")),
        ("Dupond", "Hugo Dupont", Some("orthographe proche")),
        ("Fort", "Lucas Faure", Some("prononciation proche")),
        // A wrong first letter is no typo at 5 letters, but it sounds alike.
        ("Karon", "Claire Caron", Some("prononciation proche")),
        // The city forgives too.
        ("dupont marseile", "Hugo Dupont", Some("orthographe proche")),
    ];
    for (typed, want, why) in table {
        let r = store.search(typed).await.unwrap();
        assert_eq!(first(&r), (*want, *why), "{typed}: {:?}", r.hits);
        let kind = r.hits[0].matched;
        let want_kind = match why {
            None => MatchKind::Name,
            Some("orthographe proche") => MatchKind::NameSpelling,
            Some(_) => MatchKind::NameSound,
        };
        assert_eq!(kind, want_kind, "{typed}");
    }
}

#[tokio::test]
async fn too_many_typos_and_short_names_find_nobody() {
    let (_dir, store) = families_store().await;
    for typed in [
        "Lfebre",    // two typos in 6 letters
        "Lfbvre",    // two typos in 6 letters
        "Bartinaeu", // first letter and swap: three in 9
        "Chtlaine",  // three typos
        "xqzwkvj",   // all typos
    ] {
        let r = store.search(typed).await.unwrap();
        assert!(r.hits.is_empty(), "{typed}: {:?}", r.hits);
    }
    // « Roy » must not bring « Ray », nor the reverse.
    let r = store.search("Roy").await.unwrap();
    let names: Vec<&str> = r.hits.iter().map(|h| h.display_name.as_str()).collect();
    assert_eq!(names, ["Pierre Roy"]);
    let r = store.search("Ray").await.unwrap();
    let names: Vec<&str> = r.hits.iter().map(|h| h.display_name.as_str()).collect();
    assert_eq!(names, ["Jacques Ray"]);
}

#[tokio::test]
async fn exact_and_prefix_matches_rank_above_corrected_ones() {
    let (_dir, store) = families_store().await;
    insert(
        &store,
        &[
            customer("Anne", "Lefèvre", "Arras", None),
            customer("Jean", "Lefevret", "Albi", None),
        ],
    )
    .await;
    let r = store.search("lefevre").await.unwrap();
    let got: Vec<(&str, Option<&str>)> = r
        .hits
        .iter()
        .map(|h| (h.display_name.as_str(), h.matched_label.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("Anne Lefèvre", None),
            ("Jean Lefevret", None),
            ("Anne Lefebvre", Some("orthographe proche")),
        ]
    );
    // Homonyms are still told apart by their city on the line.
    let r = store.search("anne lefevre").await.unwrap();
    let cities: Vec<&str> = r.hits.iter().map(|h| h.city.as_str()).collect();
    assert_eq!(cities, ["Arras", "Lille"]);
}

#[tokio::test]
async fn words_added_after_the_first_search_are_corrected_too() {
    let (_dir, store) = families_store().await;
    assert!(store.search("Vandenbroucke").await.unwrap().hits.is_empty());
    let before = store.search_index_stats().await.unwrap();
    insert(
        &store,
        &[customer("Ilse", "Vandenbroucke", "Roubaix", None)],
    )
    .await;
    let r = store.search("Vandenbrouke").await.unwrap();
    assert_eq!(
        first(&r),
        ("Ilse Vandenbroucke", Some("orthographe proche"))
    );
    let after = store.search_index_stats().await.unwrap();
    assert_eq!(
        after.terms,
        before.terms + 3,
        "ilse, vandenbroucke, roubaix"
    );
    // Another process's handle sees the words too (they are in the file).
    let other = Store::open(store.path(), OpenMode::MustExist)
        .await
        .unwrap();
    let r = other.search("Vandenbrouke").await.unwrap();
    assert_eq!(first(&r).0, "Ilse Vandenbroucke");
}

#[tokio::test]
async fn hostile_queries_stay_bounded() {
    let (_dir, store) = families_store().await;
    let long = "a".repeat(200);
    let mixed = "l3f3bvr3 dup0nt";
    let many = "lefebre dupret mikael gotier rousso karon";
    for q in [
        long.as_str(),
        mixed,
        many,
        "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
        "é-é-é-é",
    ] {
        let t = Instant::now();
        let r = store.search(q).await;
        assert!(r.is_ok(), "{q}: {r:?}");
        assert!(
            t.elapsed() < Duration::from_secs(2),
            "{q}: {:?}",
            t.elapsed()
        );
    }
}

/// One number per French region, stored in its national writing, with the
/// E.164 key it must get and several writings a clerk may type.
const REGION_PHONES: &[(&str, &str, &str, &[&str])] = &[
    (
        "Métropole",
        "06 12 34 56 78",
        "33612345678",
        &[
            "0612345678",
            "06.12.34.56.78",
            "+33 6 12 34 56 78",
            "0033612345678",
            "+33 (0)6 12 34 56 78",
            "06 12 34",
        ],
    ),
    (
        "Corse",
        "04 95 21 34 56",
        "33495213456",
        &["04.95.21.34.56", "+33 4 95 21 34 56", "04 95 21"],
    ),
    (
        "La Réunion",
        "0692 12 34 56",
        "262692123456",
        &[
            "0692123456",
            "0692.12.34.56",
            "0692-12-34-56",
            "+262 692 12 34 56",
            "00262 692 12 34 56",
            "+262 (0)692 12 34 56",
            "0692 12",
            "+262 692 1",
        ],
    ),
    (
        "Mayotte",
        "0639 01 23 45",
        "262639012345",
        &[
            "0639.01.23.45",
            "+262 639 01 23 45",
            "00262639012345",
            "0639 01",
        ],
    ),
    (
        "Guadeloupe",
        "0690 12 34 56",
        "590690123456",
        &[
            "0690-12-34-56",
            "+590 690 12 34 56",
            "00590 690 12 34 56",
            "0690 12 3",
        ],
    ),
    (
        "Saint-Barthélemy",
        "0590 27 12 34",
        "590590271234",
        &["0590.27.12.34", "+590 590 27 12 34", "0590 27 1"],
    ),
    (
        "Martinique",
        "0696 12 34 56",
        "596696123456",
        &[
            "0696123456",
            "+596 696 12 34 56",
            "00596 (0)696 12 34 56",
            "0696 12",
        ],
    ),
    (
        "Guyane",
        "0594 30 12 34",
        "594594301234",
        &["0594 30 12 34", "+594 594 30 12 34", "0594 30"],
    ),
    (
        "Saint-Pierre-et-Miquelon",
        "041 23 45",
        "508412345",
        &["+508 41 23 45", "00508 41 23 45", "0412345"],
    ),
];

#[tokio::test]
async fn every_french_region_is_found_by_phone_in_any_writing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&common::db_path(&dir), OpenMode::CreateIfMissing)
        .await
        .unwrap();
    let customers: Vec<CustomerRecord> = REGION_PHONES
        .iter()
        .map(|(region, stored, _, _)| customer("Client", region, region, Some(stored)))
        .collect();
    insert(&store, &customers).await;
    for (region, stored, key, writings) in REGION_PHONES {
        let got: String = sqlx::query_scalar(
            "SELECT value_norm FROM customer_contacts WHERE value = ? AND kind = 'phone'",
        )
        .bind(stored)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(got, *key, "{region}: stored key of {stored}");
        for typed in std::iter::once(stored).chain(writings.iter()) {
            let r = store.search(typed).await.unwrap();
            let names: Vec<&str> = r.hits.iter().map(|h| h.city.as_str()).collect();
            assert_eq!(names, [*region], "{region}: {typed}");
            assert_eq!(r.hits[0].matched, MatchKind::Phone);
        }
    }
}

#[tokio::test]
async fn metropolitan_and_overseas_numbers_never_cross() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&common::db_path(&dir), OpenMode::CreateIfMissing)
        .await
        .unwrap();
    insert(
        &store,
        &[
            customer("Marie", "Paris", "Paris", Some("06 92 00 11 22")),
            customer("Marie", "Réunion", "Saint-Denis", Some("0692 00 11 22")),
            customer("Jean", "Lyon", "Lyon", Some("06 96 12 34 56")),
            customer(
                "Jean",
                "Martinique",
                "Fort-de-France",
                Some("0696 12 34 56"),
            ),
        ],
    )
    .await;
    // "06 92 00 11 22" is no metropolitan mobile: the numbering plan gives
    // it to Réunion, whichever way it was spaced.
    let keys: Vec<String> =
        sqlx::query_scalar("SELECT value_norm FROM customer_contacts ORDER BY value_norm")
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert_eq!(
        keys,
        [
            "262692001122",
            "262692001122",
            "596696123456",
            "596696123456"
        ]
    );
    let cities = |r: SearchResponse| -> Vec<String> {
        let mut v: Vec<String> = r.hits.into_iter().map(|h| h.city).collect();
        v.sort();
        v
    };
    // An overseas query finds no metropolitan number, and the reverse.
    assert!(store
        .search("+33 6 92 00 11 22")
        .await
        .unwrap()
        .hits
        .is_empty());
    assert!(store.search("+33 6 96 12").await.unwrap().hits.is_empty());
    assert!(store
        .search("+262 696 12 34 56")
        .await
        .unwrap()
        .hits
        .is_empty());
    assert!(store.search("+596 692 00").await.unwrap().hits.is_empty());
    assert_eq!(
        cities(store.search("+596 696 12 34 56").await.unwrap()),
        ["Fort-de-France", "Lyon"]
    );
    insert(
        &store,
        &[customer(
            "Luc",
            "Métropole",
            "Nantes",
            Some("06 12 34 56 78"),
        )],
    )
    .await;
    assert!(store
        .search("+262 612 34 56 78")
        .await
        .unwrap()
        .hits
        .is_empty());
    assert!(store.search("0692 12 34").await.unwrap().hits.is_empty());
    assert_eq!(cities(store.search("06 12 34").await.unwrap()), ["Nantes"]);
}

#[tokio::test]
async fn bad_phone_numbers_get_a_sensible_answer() {
    let (_dir, store) = families_store().await;
    for q in [
        "06 12 34 56 78 90 12", // too many digits
        "06 12",                // too few
        "+999 123 456",         // no such country
        "+262 999 99 99 99",    // no such Réunion number
        "0000000000",
        "+",
        "00",
        "06-12-34-56-78-90-12-34-56-78-90-12-34-56-78-90",
    ] {
        let r = store.search(q).await;
        match r {
            Ok(r) => assert!(r.hits.is_empty(), "{q}: {:?}", r.hits),
            Err(e) => assert!(!e.message_fr().is_empty(), "{q}"),
        }
    }
}

#[tokio::test]
async fn a_database_from_before_migration_6_is_reindexed_once_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::db_path(&dir);
    {
        let store = Store::open(&path, OpenMode::CreateIfMissing).await.unwrap();
        insert(
            &store,
            &[
                customer("Anne", "Lefebvre", "Lille", Some("0692 12 34 56")),
                customer("Paul", "Duprez", "Lyon", Some("06 12 34 56 78")),
            ],
        )
        .await;
        // What an older build left: no word list, the Réunion number under
        // the key it got as a (wrong) metropolitan number.
        sqlx::query("DELETE FROM search_terms")
            .execute(store.pool())
            .await
            .unwrap();
        sqlx::query(
            "UPDATE customer_contacts SET value_norm = '33692123456' WHERE value = '0692 12 34 56'",
        )
        .execute(store.pool())
        .await
        .unwrap();
        sqlx::query("INSERT INTO settings (key, value) VALUES ('search_reindex', 'pending')")
            .execute(store.pool())
            .await
            .unwrap();
        store.close().await;
    }
    let store = Store::open(&path, OpenMode::MustExist).await.unwrap();
    let pending: Option<String> =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = 'search_reindex'")
            .fetch_optional(store.pool())
            .await
            .unwrap();
    assert_eq!(pending, None, "done once");
    let terms: Vec<String> = sqlx::query_scalar("SELECT term FROM search_terms ORDER BY term")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert_eq!(
        terms,
        ["anne", "duprez", "lefebvre", "lille", "lyon", "paul"]
    );
    let r = store.search("0692 12 34 56").await.unwrap();
    assert_eq!(first(&r).0, "Anne Lefebvre");
    let r = store.search("lefevre").await.unwrap();
    assert_eq!(first(&r), ("Anne Lefebvre", Some("orthographe proche")));
    assert_eq!(
        first(&store.search("06 12 34 56 78").await.unwrap()).0,
        "Paul Duprez"
    );
}
