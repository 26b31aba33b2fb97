//! Search against a real SQLite file filled by the demo generator.
#![allow(clippy::unwrap_used)] // tests and benches: a failed unwrap is a failed run

mod common;

use comptoir_core::views::{DirectHit, MatchKind, SearchResponse};
use comptoir_demo::showcase;
use comptoir_store::Store;

async fn names_and_cities(store: &Store, q: &str) -> Vec<(String, String)> {
    let r = store.search(q).await.unwrap();
    r.hits
        .into_iter()
        .map(|h| (h.display_name, h.city))
        .collect()
}

fn lyon_helene(r: &SearchResponse) -> bool {
    r.hits
        .iter()
        .any(|h| h.display_name == "Mme Hélène Dupré" && h.city == "Lyon")
}

#[tokio::test]
async fn names_are_found_without_accents_case_or_full_words() {
    let (_dir, store) = common::demo_store(500).await;
    for q in [
        "helene dupre",
        "HÉLÈNE DUPRÉ",
        "Hélène Dupré",
        "hel dup",
        "dupre helene",
        "dupré",
    ] {
        let hits = names_and_cities(&store, q).await;
        let cities: Vec<&str> = hits.iter().map(|(_, c)| c.as_str()).collect();
        assert!(cities.contains(&"Lyon"), "{q}: {hits:?}");
        assert!(
            cities.contains(&"Nantes"),
            "homonym missing for {q}: {hits:?}"
        );
        assert!(
            cities.contains(&"Paris"),
            "accent-less spelling missing for {q}: {hits:?}"
        );
    }
    // The city narrows homonyms down.
    let hits = names_and_cities(&store, "dupre nantes").await;
    assert_eq!(
        hits,
        vec![("Mme Hélène Dupré".to_owned(), "Nantes".to_owned())]
    );
}

#[tokio::test]
async fn hits_carry_context_to_tell_homonyms_apart() {
    let (_dir, store) = common::demo_store(200).await;
    let r = store.search("helene dupre").await.unwrap();
    let lyon = r.hits.iter().find(|h| h.city == "Lyon").unwrap();
    assert_eq!(lyon.postal_code, "69002");
    assert_eq!(lyon.phone.as_deref(), Some("06 12 34 56 78"));
    assert_eq!(lyon.email.as_deref(), Some(showcase::HELENE_LYON_EMAIL));
    assert_eq!(lyon.open_dossiers, 1, "the dossier opened online is open");
    let last = lyon.last_purchase.as_ref().unwrap();
    // The television bought at Lyon Part-Dieu six days before the demo's date.
    assert_eq!(last.where_label, "Magasin Lyon Part-Dieu");
    assert_eq!(lyon.matched, MatchKind::Name);
    let nantes = r.hits.iter().find(|h| h.city == "Nantes").unwrap();
    assert_eq!(
        nantes.last_purchase.as_ref().unwrap().where_label,
        "Cdiscount"
    );
    assert_eq!(nantes.open_dossiers, 0);
}

#[tokio::test]
async fn every_writing_of_a_phone_finds_the_same_customer() {
    let (_dir, store) = common::demo_store(500).await;
    for q in [
        "06 12 34 56 78",
        "0612345678",
        "+33 6 12 34 56 78",
        "+33612345678",
        "06.12.34.56.78",
        "0033612345678",
    ] {
        let r = store.search(q).await.unwrap();
        assert!(lyon_helene(&r), "{q}: {:?}", r.hits);
        assert_eq!(r.hits[0].matched, MatchKind::Phone, "{q}");
        assert_eq!(
            r.hits[0].matched_label.as_deref(),
            Some("Tél. 06 12 34 56 78")
        );
    }
    // A prefix lists the numbers that start with it.
    let r = store.search("06 12 34 5").await.unwrap();
    assert!(lyon_helene(&r));
    assert!(r.hits.iter().all(|h| h.phone.as_deref().is_some()));
}

#[tokio::test]
async fn emails_are_found_whole_or_by_prefix_in_any_case() {
    let (_dir, store) = common::demo_store(300).await;
    for q in [
        "helene.dupre@example.fr",
        "HELENE.DUPRE@EXAMPLE.FR",
        "helene.dupre@ex",
    ] {
        let r = store.search(q).await.unwrap();
        assert!(lyon_helene(&r), "{q}");
        assert_eq!(r.hits[0].matched, MatchKind::Email);
    }
}

#[tokio::test]
async fn an_exact_order_or_dossier_number_opens_the_card_directly() {
    let (_dir, store) = common::demo_store(300).await;
    let lyon = store.search("0612345678").await.unwrap().hits[0].customer_id;
    for q in [
        showcase::WEB_ORDER,
        showcase::STORE_ORDER,
        showcase::AMAZON_ORDER,
        "w10000001",
        "tlyo1 260312 0042",
    ] {
        let r = store.search(q).await.unwrap();
        match r.direct {
            Some(DirectHit::Order {
                customer_id,
                ref number,
                ..
            }) => {
                assert_eq!(customer_id, lyon, "{q}");
                assert!(
                    number.eq_ignore_ascii_case(q) || q.contains(' '),
                    "{q} -> {number}"
                );
            }
            ref other => panic!("{q}: expected a direct order hit, got {other:?}"),
        }
    }
    for q in [
        showcase::WEB_DOSSIER,
        "sav-web-2026-000001",
        "SAVWEB2026000001",
    ] {
        let r = store.search(q).await.unwrap();
        assert!(
            matches!(r.direct, Some(DirectHit::Dossier { customer_id, .. }) if customer_id == lyon),
            "{q}: {:?}",
            r.direct
        );
        assert_eq!(r.hits[0].matched, MatchKind::Dossier);
    }
}

#[tokio::test]
async fn a_half_scanned_code_lists_candidates_but_opens_nothing() {
    let (_dir, store) = common::demo_store(300).await;
    let r = store.search("W1000000").await.unwrap();
    assert!(r.direct.is_none());
    assert!(
        lyon_helene(&r),
        "prefix of W10000001 must list her: {:?}",
        r.hits
    );
    let r = store.search("SAV-WEB-2026-00000").await.unwrap();
    assert!(r.direct.is_none());
    assert!(r.hits.iter().any(|h| h.matched == MatchKind::Dossier));
}

#[tokio::test]
async fn serial_numbers_find_the_purchase() {
    let (_dir, store) = common::demo_store(100).await;
    let r = store.search(showcase::WASHER_SERIAL).await.unwrap();
    assert!(lyon_helene(&r));
    assert_eq!(r.hits[0].matched, MatchKind::Serial);
}

#[tokio::test]
async fn whole_words_rank_before_prefixes() {
    let (_dir, store) = common::demo_store(3000).await;
    let r = store.search("martin").await.unwrap();
    assert!(!r.hits.is_empty());
    // Martin as a whole word (Martin, Martin-Dubois) before Martinez and
    // other prefixes.
    let whole = |name: &str| {
        comptoir_core::normalize::tokens(name)
            .iter()
            .any(|t| t == "martin")
    };
    assert!(whole(&r.hits[0].display_name), "{}", r.hits[0].display_name);
    let positions: Vec<bool> = r.hits.iter().map(|h| whole(&h.display_name)).collect();
    let first_other = positions.iter().position(|m| !m).unwrap_or(positions.len());
    assert!(
        positions[first_other..].iter().all(|m| !m),
        "exact matches must come first: {positions:?}"
    );
    let r = store.search("marti").await.unwrap();
    assert!(r.hits.iter().any(|h| h.display_name.contains("Martinez")) || r.more);
    assert!(r.hits.len() <= comptoir_core::search::MAX_HITS);
    assert!(r.more, "3000 customers hold more than 20 Martins");
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_or_a_sensible_result() {
    let (_dir, store) = common::demo_store(200).await;
    for (q, code) in [
        ("", "query_too_short"),
        ("a", "query_too_short"),
        ("  é ", "query_too_short"),
        ("😀🎉", "query_too_short"),
        ("%_*", "query_too_short"),
    ] {
        let e = store.search(q).await.unwrap_err();
        assert_eq!(e.code(), code, "{q:?}");
        assert!(e.message_fr().contains("au moins 2"), "{}", e.message_fr());
    }
    let long = "dupre ".repeat(2_000);
    let e = store.search(&long).await.unwrap_err();
    assert_eq!(e.code(), "query_too_long");
    assert!(e.message_fr().contains("200"));

    // Metacharacters are data, never syntax.
    for q in [
        "'; DROP TABLE customers; --",
        "dupre\" OR 1=1 --",
        "NEAR(dupre helene)",
        "dup* OR mar*",
        "helene 😀 dupre",
        "robert'); --",
        "%' OR '1'='1",
    ] {
        let r = store.search(q).await;
        assert!(r.is_ok(), "{q:?}: {r:?}");
    }
    let r = store.search("helene 😀 dupre").await.unwrap();
    assert!(lyon_helene(&r));
    // The table is still there.
    assert!(store.search("helene").await.unwrap().hits.len() >= 3);
}

/// The app's warm-up at open (word automaton, then the full-text index
/// read through) runs on a real file; searches then answer as before.
#[tokio::test]
async fn the_warm_up_reads_the_index_and_leaves_searches_unchanged() {
    let (_dir, store) = common::demo_store(200).await;
    let before = names_and_cities(&store, "helene dupre").await;
    store.forget_search_index().await;
    store.warm_search().await.unwrap();
    let stats = store.search_index_stats().await.unwrap();
    assert!(stats.terms > 100, "{} words", stats.terms);
    assert_eq!(names_and_cities(&store, "helene dupre").await, before);
    assert!(before.len() >= 2, "{before:?}");
}
