//! Executes a search plan (see `comptoir_core::search`): exact codes first
//! (a scanned order, receipt or dossier number opens its card), then phones,
//! e-mails and names, each through an index; names through FTS5 over folded
//! words, re-ranked so that whole-word matches come before prefixes, and,
//! when the words as typed find too few customers, a second, forgiving pass
//! over their spelling corrections (an in-memory automaton over the
//! distinct words, [`TermCache`]) and sound-alikes (`search_terms.sound`).
//!
//! This module also writes the index: [`index_customers`] is the one place
//! a customer's full-text row and words are written, from the entry
//! `comptoir_core::search::customer_index_entry` computes.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use comptoir_core::ids::{CustomerId, DossierId, OrderId};
use comptoir_core::model::{Channel, ContactKind};
use comptoir_core::normalize::{contact_key, display_phone};
use comptoir_core::phonetic::sound_key;
use comptoir_core::records::{display_name, CustomerRecord};
use comptoir_core::search::{
    customer_index_entry, forgiving_match_expression, fts_match_expression, index_term, plan,
    rank_name_hit, NameMatch, WordAlternatives, MAX_HITS, MIN_SOUND_LEN,
};
use comptoir_core::typo::TermIndex;
use comptoir_core::views::{DirectHit, MatchKind, PurchaseSummary, SearchHit, SearchResponse};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};

use crate::{Result, Store};

/// Sound-alike words looked up per typed word.
const MAX_SOUNDS: i64 = 12;
/// New words picked up per search before the automaton is rebuilt instead.
const MAX_RECENT_TERMS: i64 = 2_000;

/// The distinct words of the index as an automaton (`comptoir_core::typo`),
/// built from `search_terms` on the first name search and brought up to
/// date at every later one with the words added since (by this process or
/// another: a range scan on `search_terms.id`).
#[derive(Debug, Default)]
pub(crate) struct TermCache {
    state: tokio::sync::Mutex<Option<LoadedTerms>>,
}

#[derive(Debug)]
struct LoadedTerms {
    index: TermIndex,
    last_id: i64,
    build_time: Duration,
}

/// What the in-memory part of the search index costs (for the benchmark
/// and the logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchIndexStats {
    /// Distinct words of names and cities.
    pub terms: usize,
    /// Heap bytes held by the automaton and the words added since.
    pub memory_bytes: usize,
    /// Time the last full build took (reading the words and building).
    pub build_time: Duration,
}

impl TermCache {
    /// Drops the automaton (rebuilt at the next name search): after an
    /// erasure removed words from `search_terms`.
    pub(crate) async fn forget(&self) {
        *self.state.lock().await = None;
    }

    async fn load(pool: &SqlitePool) -> Result<LoadedTerms> {
        let t = Instant::now();
        let last_id: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM search_terms")
            .fetch_one(pool)
            .await?;
        let terms: Vec<String> =
            sqlx::query_scalar("SELECT term FROM search_terms WHERE id <= ? ORDER BY term")
                .bind(last_id)
                .fetch_all(pool)
                .await?;
        let index = TermIndex::build(&terms);
        Ok(LoadedTerms {
            index,
            last_id,
            build_time: t.elapsed(),
        })
    }

    /// Runs `f` on the current automaton (built or refreshed first).
    async fn with<T>(&self, pool: &SqlitePool, f: impl FnOnce(&LoadedTerms) -> T) -> Result<T> {
        let mut state = self.state.lock().await;
        let loaded = match state.take() {
            None => Self::load(pool).await?,
            Some(mut loaded) => {
                let recent: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT id, term FROM search_terms WHERE id > ? ORDER BY id LIMIT ?",
                )
                .bind(loaded.last_id)
                .bind(MAX_RECENT_TERMS + 1)
                .fetch_all(pool)
                .await?;
                if recent.len() as i64 > MAX_RECENT_TERMS
                    || loaded.index.recent_len() as i64 + recent.len() as i64 > MAX_RECENT_TERMS
                {
                    Self::load(pool).await?
                } else {
                    for (id, term) in &recent {
                        loaded.index.add(term);
                        loaded.last_id = loaded.last_id.max(*id);
                    }
                    loaded
                }
            }
        };
        let out = f(&loaded);
        *state = Some(loaded);
        Ok(out)
    }
}

/// Name candidates fetched from the full-text index before re-ranking.
const NAME_CANDIDATES: i64 = 150;
/// Rows fetched per code / contact prefix lookup.
const PREFIX_ROWS: i64 = MAX_HITS as i64 + 1;

/// A customer found, and why.
struct Found {
    customer_id: CustomerId,
    matched: MatchKind,
    label: Option<String>,
}

/// Upper bound of the keys starting with `prefix` (for an index range scan).
fn prefix_end(prefix: &str) -> String {
    let mut end = prefix.to_owned();
    end.push(char::MAX);
    end
}

#[derive(sqlx::FromRow)]
struct CodeRow {
    id: uuid::Uuid,
    customer_id: CustomerId,
    number: String,
    exact: bool,
}

impl Store {
    /// The one search field of the counter.
    pub async fn search(&self, query: &str) -> Result<SearchResponse> {
        let plan = plan(query)?;
        let mut found: Vec<Found> = Vec::new();
        let mut direct = None;
        let mut more = false;

        if let Some(code) = &plan.code {
            direct = self.search_codes(code, &mut found, &mut more).await?;
        }
        for prefix in &plan.phone_prefixes {
            more |= self
                .search_contacts(prefix, MatchKind::Phone, &mut found)
                .await?;
        }
        if let Some(email) = &plan.email {
            more |= self
                .search_contacts(email, MatchKind::Email, &mut found)
                .await?;
        }
        if !plan.words.is_empty() {
            let (ranked, truncated) = self.search_names(&plan.words).await?;
            more |= truncated;
            for (id, why) in ranked {
                found.push(Found {
                    customer_id: id,
                    matched: match why {
                        NameMatch::Typed => MatchKind::Name,
                        NameMatch::Spelling => MatchKind::NameSpelling,
                        NameMatch::Sound => MatchKind::NameSound,
                    },
                    label: why.label_fr().map(str::to_owned),
                });
            }
        }

        // One hit per customer, the first reason found wins; codes, phones
        // and e-mails before names.
        let mut seen = std::collections::HashSet::new();
        found.retain(|f| seen.insert(f.customer_id));
        if found.len() > MAX_HITS {
            found.truncate(MAX_HITS);
            more = true;
        }
        let ids: Vec<CustomerId> = found.iter().map(|f| f.customer_id).collect();
        let mut details = self.hit_details(&ids).await?;
        let hits: Vec<SearchHit> = found
            .into_iter()
            .filter_map(|f| {
                let mut hit = details.remove(&f.customer_id)?;
                hit.matched = f.matched;
                hit.matched_label = f.label;
                Some(hit)
            })
            .collect();
        Ok(SearchResponse { hits, direct, more })
    }

    async fn search_codes(
        &self,
        code: &str,
        found: &mut Vec<Found>,
        more: &mut bool,
    ) -> Result<Option<DirectHit>> {
        // One range scan per kind of code: exact matches and prefixes (a
        // half-scanned code) alike.
        let scan = |sql: &'static str| async move {
            sqlx::query_as::<_, CodeRow>(sql)
                .bind(code)
                .bind(prefix_end(code))
                .bind(PREFIX_ROWS)
                .fetch_all(&self.pool)
                .await
        };
        let dossiers = scan(
            "SELECT id, customer_id, number, number_norm = ?1 AS exact FROM dossiers
             WHERE number_norm >= ?1 AND number_norm < ?2 ORDER BY number_norm LIMIT ?3",
        )
        .await?;
        let orders = scan(
            "SELECT id, customer_id, number, number_norm = ?1 AS exact FROM orders
             WHERE number_norm >= ?1 AND number_norm < ?2 ORDER BY number_norm LIMIT ?3",
        )
        .await?;
        let serials = scan(
            "SELECT o.id, o.customer_id, s.serial AS number, s.serial_norm = ?1 AS exact
             FROM order_line_serials s
             JOIN order_lines l ON l.id = s.order_line_id
             JOIN orders o ON o.id = l.order_id
             WHERE s.serial_norm >= ?1 AND s.serial_norm < ?2 ORDER BY s.serial_norm LIMIT ?3",
        )
        .await?;
        *more |= [&dossiers, &orders, &serials]
            .iter()
            .any(|v| v.len() as i64 >= PREFIX_ROWS);

        let exact_dossiers: Vec<&CodeRow> = dossiers.iter().filter(|r| r.exact).collect();
        let exact_orders: Vec<&CodeRow> = orders.iter().filter(|r| r.exact).collect();
        let direct = match (exact_dossiers.as_slice(), exact_orders.as_slice()) {
            ([d], []) => Some(DirectHit::Dossier {
                customer_id: d.customer_id,
                dossier_id: DossierId(d.id),
                number: d.number.clone(),
            }),
            ([], [o]) => Some(DirectHit::Order {
                customer_id: o.customer_id,
                order_id: OrderId(o.id),
                number: o.number.clone(),
            }),
            _ => None,
        };
        // Exact matches first, then prefixes (a half-scanned code).
        for exact in [true, false] {
            for (rows, kind, what) in [
                (&dossiers, MatchKind::Dossier, "Dossier"),
                (&orders, MatchKind::Order, "Commande"),
                (&serials, MatchKind::Serial, "N° de série"),
            ] {
                for r in rows.iter().filter(|r| r.exact == exact) {
                    found.push(Found {
                        customer_id: r.customer_id,
                        matched: kind,
                        label: Some(format!("{what} {}", r.number)),
                    });
                }
            }
        }
        Ok(direct)
    }

    async fn search_contacts(
        &self,
        key: &str,
        kind: MatchKind,
        found: &mut Vec<Found>,
    ) -> Result<bool> {
        let rows: Vec<(CustomerId, String, String)> = sqlx::query_as(
            "SELECT customer_id, value, value_norm FROM customer_contacts
             WHERE value_norm >= ?1 AND value_norm < ?2 AND kind = ?3
             ORDER BY value_norm LIMIT ?4",
        )
        .bind(key)
        .bind(prefix_end(key))
        .bind(if kind == MatchKind::Phone {
            "phone"
        } else {
            "email"
        })
        .bind(PREFIX_ROWS)
        .fetch_all(&self.pool)
        .await?;
        let more = rows.len() as i64 >= PREFIX_ROWS;
        for (customer_id, value, norm) in rows {
            let shown = if kind == MatchKind::Phone {
                display_phone(&norm)
            } else {
                value
            };
            let what = if kind == MatchKind::Phone {
                "Tél."
            } else {
                "E-mail"
            };
            found.push(Found {
                customer_id,
                matched: kind,
                label: Some(format!("{what} {shown}")),
            });
        }
        Ok(more)
    }

    /// Customers whose name or city words start with every typed word,
    /// whole-word matches first; when those are fewer than a screenful, the
    /// customers met once a typo is forgiven or by sound, always below.
    /// The full-text index is read in key order and stops after
    /// [`NAME_CANDIDATES`] matches per pass, so a two-letter prefix over a
    /// million customers costs no more than a precise name; when fewer
    /// match, the ranking covers them all.
    async fn search_names(&self, words: &[String]) -> Result<(Vec<(CustomerId, NameMatch)>, bool)> {
        let mut rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT rowid, name, city FROM customer_fts WHERE customer_fts MATCH ?1 LIMIT ?2",
        )
        .bind(fts_match_expression(words))
        .bind(NAME_CANDIDATES)
        .fetch_all(&self.pool)
        .await?;
        let mut truncated = rows.len() as i64 >= NAME_CANDIDATES;
        let mut alternatives: Vec<WordAlternatives> = words
            .iter()
            .map(|w| WordAlternatives {
                word: w.clone(),
                ..WordAlternatives::default()
            })
            .collect();
        if rows.len() < MAX_HITS {
            self.word_alternatives(&mut alternatives).await?;
            if alternatives.iter().any(WordAlternatives::has_alternatives) {
                let more: Vec<(i64, String, String)> = sqlx::query_as(
                    "SELECT rowid, name, city FROM customer_fts WHERE customer_fts MATCH ?1 LIMIT ?2",
                )
                .bind(forgiving_match_expression(&alternatives))
                .bind(NAME_CANDIDATES)
                .fetch_all(&self.pool)
                .await?;
                truncated |= more.len() as i64 >= NAME_CANDIDATES;
                let seen: HashSet<i64> = rows.iter().map(|r| r.0).collect();
                rows.extend(more.into_iter().filter(|r| !seen.contains(&r.0)));
            }
        }
        let mut scored: Vec<(comptoir_core::search::NameRank, i64)> = rows
            .iter()
            .map(|(seq, name, city)| (rank_name_hit(&alternatives, name, city), *seq))
            .collect();
        scored.sort_by_key(|(rank, seq)| (rank.sort_key(), *seq));
        if scored.len() > MAX_HITS {
            scored.truncate(MAX_HITS);
            truncated = true;
        }
        if scored.is_empty() {
            return Ok((Vec::new(), truncated));
        }
        let mut qb: QueryBuilder<Sqlite> =
            QueryBuilder::new("SELECT seq, id FROM customers WHERE seq IN (");
        let mut sep = qb.separated(", ");
        for (_, seq) in &scored {
            sep.push_bind(*seq);
        }
        qb.push(")");
        let ids: HashMap<i64, CustomerId> = qb
            .build_query_as()
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .collect();
        Ok((
            scored
                .iter()
                .filter_map(|(rank, seq)| ids.get(seq).map(|id| (*id, rank.why)))
                .collect(),
            truncated,
        ))
    }

    /// Fills in each word's spelling corrections (the automaton) and
    /// sound-alikes (`search_terms.sound`). Words with digits have none.
    async fn word_alternatives(&self, words: &mut [WordAlternatives]) -> Result<()> {
        let letters = |w: &str| w.chars().all(char::is_alphabetic);
        let spellings: Vec<Vec<String>> = self
            .terms
            .with(&self.pool, |loaded| {
                words
                    .iter()
                    .map(|w| {
                        if letters(&w.word) {
                            loaded
                                .index
                                .corrections(&w.word)
                                .into_iter()
                                .map(|c| c.term)
                                .collect()
                        } else {
                            Vec::new()
                        }
                    })
                    .collect()
            })
            .await?;
        for (w, spelled) in words.iter_mut().zip(spellings) {
            w.spellings = spelled;
            if !letters(&w.word) || w.word.chars().count() < MIN_SOUND_LEN {
                continue;
            }
            let sounds: Vec<String> = sqlx::query_scalar(
                "SELECT term FROM search_terms WHERE sound = ?1 AND term <> ?2
                 ORDER BY term LIMIT ?3",
            )
            .bind(sound_key(&w.word))
            .bind(&w.word)
            .bind(MAX_SOUNDS)
            .fetch_all(&self.pool)
            .await?;
            w.sounds = sounds
                .into_iter()
                .filter(|t| !w.spellings.contains(t))
                .collect();
        }
        Ok(())
    }

    /// The in-memory part of the search index (built now if it was not).
    pub async fn search_index_stats(&self) -> Result<SearchIndexStats> {
        self.terms
            .with(&self.pool, |loaded| SearchIndexStats {
                terms: loaded.index.len(),
                memory_bytes: loaded.index.memory_bytes(),
                build_time: loaded.build_time,
            })
            .await
    }

    /// Warms what a name search reads, as the app does right after it opens
    /// the database (before the first customer is at the counter): builds
    /// the word automaton, then reads the full-text index and the indexed
    /// names through once, in file order, so that the first search of the
    /// morning finds them in the page cache instead of reading a few
    /// hundred scattered pages from disk. Returns how long it took.
    pub async fn warm_search(&self) -> Result<std::time::Duration> {
        let t = Instant::now();
        self.terms.with(&self.pool, |_| ()).await?;
        // The names and cities first: a name search reads those of up to
        // 150 candidates, scattered; then the postings.
        for sql in [
            "SELECT sum(length(c0)) + sum(length(c1)) FROM customer_fts_content",
            "SELECT sum(length(block)) FROM customer_fts_data",
        ] {
            sqlx::query(sql).execute(&self.pool).await?;
        }
        Ok(t.elapsed())
    }

    /// Drops the in-memory automaton: the next name search rebuilds it
    /// (for the benchmark of a cold start).
    pub async fn forget_search_index(&self) {
        *self.terms.state.lock().await = None;
    }

    /// Everything a result line shows, for a set of customers.
    async fn hit_details(&self, ids: &[CustomerId]) -> Result<HashMap<CustomerId, SearchHit>> {
        // Two halves read at once on two connections: on a cold page cache
        // each hit is a handful of scattered reads, which the disk serves in
        // parallel.
        let (a, b) = ids.split_at(ids.len().div_ceil(2));
        let (a, b) = tokio::try_join!(self.hit_rows(a), self.hit_rows(b))?;
        Ok(a.into_iter()
            .chain(b)
            .map(|r| (r.id, r.into_hit()))
            .collect())
    }

    async fn hit_rows(&self, ids: &[CustomerId]) -> Result<Vec<HitRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT c.id, c.title, c.first_name, c.last_name, c.postal_code, c.city,
               (SELECT k.value_norm FROM customer_contacts k
                 WHERE k.customer_id = c.id AND k.kind = 'phone'
                 ORDER BY k.is_primary DESC LIMIT 1) AS phone,
               (SELECT k.value FROM customer_contacts k
                 WHERE k.customer_id = c.id AND k.kind = 'email'
                 ORDER BY k.is_primary DESC LIMIT 1) AS email,
               (SELECT count(*) FROM dossiers d WHERE d.customer_id = c.id
                 AND d.status NOT IN ('handed_back', 'closed', 'cancelled')) AS open_dossiers,
               lo.ordered_at, lo.channel, lo.marketplace, ls.name AS store_name
             FROM customers c
             LEFT JOIN orders lo ON lo.id = (SELECT o.id FROM orders o WHERE o.customer_id = c.id
                                             ORDER BY o.ordered_at DESC LIMIT 1)
             LEFT JOIN stores ls ON ls.id = lo.store_id
             WHERE c.id IN (",
        );
        let mut sep = qb.separated(", ");
        for id in ids {
            sep.push_bind(*id);
        }
        qb.push(")");
        Ok(qb.build_query_as().fetch_all(&self.pool).await?)
    }
}

#[derive(sqlx::FromRow)]
struct HitRow {
    id: CustomerId,
    title: Option<String>,
    first_name: String,
    last_name: String,
    postal_code: String,
    city: String,
    phone: Option<String>,
    email: Option<String>,
    open_dossiers: i64,
    ordered_at: Option<DateTime<Utc>>,
    channel: Option<Channel>,
    marketplace: Option<String>,
    store_name: Option<String>,
}

impl HitRow {
    fn into_hit(self) -> SearchHit {
        let last_purchase = match (self.ordered_at, self.channel) {
            (Some(ordered_at), Some(channel)) => Some(PurchaseSummary {
                ordered_at,
                channel,
                where_label: where_label(
                    channel,
                    self.marketplace.as_deref(),
                    self.store_name.as_deref(),
                ),
            }),
            _ => None,
        };
        SearchHit {
            customer_id: self.id,
            display_name: display_name(self.title.as_deref(), &self.first_name, &self.last_name),
            city: self.city,
            postal_code: self.postal_code,
            phone: self.phone.as_deref().map(display_phone),
            email: self.email,
            last_purchase,
            open_dossiers: self.open_dossiers.try_into().unwrap_or(0),
            matched: MatchKind::Name,
            matched_label: None,
        }
    }
}

/// "Magasin Lyon Part-Dieu", "Site web", "Amazon".
pub(crate) fn where_label(
    channel: Channel,
    marketplace: Option<&str>,
    store: Option<&str>,
) -> String {
    match (channel, marketplace, store) {
        (Channel::Marketplace, Some(m), _) => m.to_owned(),
        (Channel::Store, _, Some(s)) => format!("Magasin {s}"),
        (Channel::Web, _, Some(s)) => format!("Site web (retrait {s})"),
        (c, _, _) => c.label_fr().to_owned(),
    }
}

/// How a customer's index entry is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IndexWrite {
    /// A customer edited: its full-text row is replaced.
    #[allow(dead_code)] // customer edits (issue 8) call it
    Replace,
}

/// Writes the search index of customers already in `customers`: their
/// full-text row (folded name and city) and their words with sound keys,
/// all computed by `comptoir_core::search::customer_index_entry`. The one
/// place the index is written; the caller owns the transaction.
pub(crate) async fn index_customers(
    conn: &mut SqliteConnection,
    customers: &[CustomerRecord],
    how: IndexWrite,
) -> Result<()> {
    if customers.is_empty() {
        return Ok(());
    }
    let entries: Vec<(&CustomerRecord, comptoir_core::search::CustomerIndexEntry)> = customers
        .iter()
        .map(|c| (c, customer_index_entry(c)))
        .collect();
    if how == IndexWrite::Replace {
        // One statement for them all, not one a customer.
        sqlx::query(
            "DELETE FROM customer_fts WHERE rowid IN
               (SELECT seq FROM customers WHERE id IN (SELECT unhex(value) FROM json_each(?)))",
        )
        .bind(crate::rows::id_list(customers.iter().map(|c| c.id.0)))
        .execute(&mut *conn)
        .await?;
    }
    crate::rows::insert_selected(
        conn,
        "INSERT INTO customer_fts (rowid, name, city) ",
        "(SELECT seq FROM customers WHERE id = unhex(value ->> 0)), value ->> 1, value ->> 2",
        &entries,
        |mut b, (c, e)| {
            b.push_bind(c.id)
                .push_bind(e.name.as_str())
                .push_bind(e.city.as_str());
        },
    )
    .await?;
    let mut seen = HashSet::new();
    let terms: Vec<(&str, &str)> = entries
        .iter()
        .flat_map(|(_, e)| e.terms.iter())
        .filter(|(t, _)| seen.insert(t.as_str()))
        .map(|(t, s)| (t.as_str(), s.as_str()))
        .collect();
    insert_terms(conn, &terms).await
}

/// Merges the full-text index's segments into one b-tree (after a bulk
/// load or a bootstrap: name searches are faster on a merged index).
pub(crate) async fn merge_index(conn: &mut SqliteConnection) -> Result<()> {
    sqlx::query("INSERT INTO customer_fts (customer_fts) VALUES ('optimize')")
        .execute(conn)
        .await?;
    Ok(())
}

async fn insert_terms(conn: &mut SqliteConnection, terms: &[(&str, &str)]) -> Result<()> {
    crate::rows::upsert_rows(
        conn,
        "INSERT INTO search_terms (term, sound) ",
        " ON CONFLICT (term) DO NOTHING",
        terms,
        |mut b, (t, s)| {
            b.push_bind(*t).push_bind(*s);
        },
    )
    .await
}

/// What [`reindex_if_pending`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Reindexed {
    pub terms: usize,
    pub phones_checked: usize,
    pub phones_changed: usize,
}

/// Brings a database written before migration 6 up to date, once, in one
/// transaction: fills the word list from the full-text index's vocabulary
/// and recomputes the key of every phone (national writings of overseas
/// numbers now resolve to their region). Does nothing when the migration
/// left no `search_reindex` mark.
pub(crate) async fn reindex_if_pending(pool: &SqlitePool) -> Result<Option<Reindexed>> {
    let pending: Option<String> =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = 'search_reindex'")
            .fetch_optional(pool)
            .await?;
    if pending.is_none() {
        return Ok(None);
    }
    let started = Instant::now();
    let mut tx = pool.begin().await?;
    let mut done = Reindexed::default();

    sqlx::query(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.customer_fts_vocab
         USING fts5vocab(main, customer_fts, row)",
    )
    .execute(&mut *tx)
    .await?;
    let vocab: Vec<String> = sqlx::query_scalar("SELECT term FROM temp.customer_fts_vocab")
        .fetch_all(&mut *tx)
        .await?;
    sqlx::query("DROP TABLE temp.customer_fts_vocab")
        .execute(&mut *tx)
        .await?;
    let pairs: Vec<(String, String)> = vocab.iter().filter_map(|w| index_term(w)).collect();
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(t, s)| (t.as_str(), s.as_str()))
        .collect();
    insert_terms(&mut tx, &refs).await?;
    done.terms = refs.len();

    let mut after: i64 = 0;
    loop {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT rowid, value, value_norm FROM customer_contacts
             WHERE kind = 'phone' AND rowid > ? ORDER BY rowid LIMIT 20000",
        )
        .bind(after)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = rows.last() else { break };
        after = last.0;
        done.phones_checked += rows.len();
        for (rowid, value, old) in &rows {
            let key = contact_key(ContactKind::Phone, value);
            if &key != old {
                sqlx::query("UPDATE customer_contacts SET value_norm = ? WHERE rowid = ?")
                    .bind(&key)
                    .bind(rowid)
                    .execute(&mut *tx)
                    .await?;
                done.phones_changed += 1;
            }
        }
    }
    sqlx::query("DELETE FROM settings WHERE key = 'search_reindex'")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(
        terms = done.terms,
        phones_checked = done.phones_checked,
        phones_changed = done.phones_changed,
        ms = started.elapsed().as_millis() as u64,
        "search index brought up to date (migration 6)"
    );
    Ok(Some(done))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_end_bounds_every_continuation() {
        let end = prefix_end("3361234");
        assert!("3361234".to_owned() < end);
        assert!("33612345678".to_owned() < end);
        assert!("3361235".to_owned() > end);
    }

    #[test]
    fn where_labels_read_as_french() {
        assert_eq!(
            where_label(Channel::Store, None, Some("Lyon Part-Dieu")),
            "Magasin Lyon Part-Dieu"
        );
        assert_eq!(where_label(Channel::Web, None, None), "Site web");
        assert_eq!(
            where_label(Channel::Marketplace, Some("Amazon"), None),
            "Amazon"
        );
    }
}
