//! Executes a search plan (see `comptoir_core::search`): exact codes first
//! (a scanned order, receipt or dossier number opens its card), then phones,
//! e-mails and names, each through an index; names through FTS5 over folded
//! words, re-ranked so that whole-word matches come before prefixes.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use comptoir_core::ids::{CustomerId, DossierId, OrderId};
use comptoir_core::model::Channel;
use comptoir_core::normalize::{display_phone, fold_text};
use comptoir_core::records::display_name;
use comptoir_core::search::{fts_match_expression, plan, SearchPlan, MAX_HITS};
use comptoir_core::views::{DirectHit, MatchKind, PurchaseSummary, SearchHit, SearchResponse};
use sqlx::{QueryBuilder, Sqlite};

use crate::{Result, Store};

/// Name candidates fetched from the full-text index before re-ranking.
const NAME_CANDIDATES: i64 = 60;
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
        if let Some(prefix) = &plan.phone_prefix {
            more |= self
                .search_contacts(prefix, MatchKind::Phone, &mut found)
                .await?;
        }
        if let Some(email) = &plan.email {
            more |= self
                .search_contacts(email, MatchKind::Email, &mut found)
                .await?;
        }
        let mut name_order: Vec<CustomerId> = Vec::new();
        if !plan.words.is_empty() {
            let (ids, truncated) = self.search_names(&plan).await?;
            more |= truncated;
            name_order = ids;
            for id in &name_order {
                found.push(Found {
                    customer_id: *id,
                    matched: MatchKind::Name,
                    label: None,
                });
            }
        }

        // One hit per customer, the first reason found wins.
        let mut seen = std::collections::HashSet::new();
        found.retain(|f| seen.insert(f.customer_id));
        let ids: Vec<CustomerId> = found.iter().map(|f| f.customer_id).collect();
        let mut details = self.hit_details(&ids).await?;

        let mut hits: Vec<SearchHit> = found
            .into_iter()
            .filter_map(|f| {
                let mut hit = details.remove(&f.customer_id)?;
                hit.matched = f.matched;
                hit.matched_label = f.label;
                Some(hit)
            })
            .collect();
        if !plan.words.is_empty() {
            rank_by_words(&mut hits, &plan.words, &self.names_of(&name_order).await?);
        }
        if hits.len() > MAX_HITS {
            hits.truncate(MAX_HITS);
            more = true;
        }
        Ok(SearchResponse { hits, direct, more })
    }

    async fn search_codes(
        &self,
        code: &str,
        found: &mut Vec<Found>,
        more: &mut bool,
    ) -> Result<Option<DirectHit>> {
        let end = prefix_end(code);
        let dossiers: Vec<CodeRow> = sqlx::query_as(
            "SELECT id, customer_id, number, number_norm = ?1 AS exact FROM dossiers
             WHERE number_norm >= ?1 AND number_norm < ?2 ORDER BY number_norm LIMIT ?3",
        )
        .bind(code)
        .bind(&end)
        .bind(PREFIX_ROWS)
        .fetch_all(&self.pool)
        .await?;
        let orders: Vec<CodeRow> = sqlx::query_as(
            "SELECT id, customer_id, number, number_norm = ?1 AS exact FROM orders
             WHERE number_norm >= ?1 AND number_norm < ?2 ORDER BY number_norm LIMIT ?3",
        )
        .bind(code)
        .bind(&end)
        .bind(PREFIX_ROWS)
        .fetch_all(&self.pool)
        .await?;
        let serials: Vec<CodeRow> = sqlx::query_as(
            "SELECT o.id, o.customer_id, s.serial AS number, s.serial_norm = ?1 AS exact
             FROM order_line_serials s
             JOIN order_lines l ON l.id = s.order_line_id
             JOIN orders o ON o.id = l.order_id
             WHERE s.serial_norm >= ?1 AND s.serial_norm < ?2 ORDER BY s.serial_norm LIMIT ?3",
        )
        .bind(code)
        .bind(&end)
        .bind(PREFIX_ROWS)
        .fetch_all(&self.pool)
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

    /// Customers whose name or city words start with every typed word, best
    /// full-text rank first.
    async fn search_names(&self, plan: &SearchPlan) -> Result<(Vec<CustomerId>, bool)> {
        let ids: Vec<CustomerId> = sqlx::query_scalar(
            "SELECT c.id FROM (
                 SELECT rowid, bm25(customer_fts, 10.0, 1.0) AS score FROM customer_fts
                 WHERE customer_fts MATCH ?1 ORDER BY score LIMIT ?2
             ) f JOIN customers c ON c.seq = f.rowid ORDER BY f.score",
        )
        .bind(fts_match_expression(&plan.words))
        .bind(NAME_CANDIDATES)
        .fetch_all(&self.pool)
        .await?;
        let truncated = ids.len() as i64 >= NAME_CANDIDATES;
        Ok((ids, truncated))
    }

    /// Folded "first last city" of the given customers, for re-ranking.
    async fn names_of(&self, ids: &[CustomerId]) -> Result<HashMap<CustomerId, (String, String)>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT id, first_name, last_name, city FROM customers WHERE id IN (",
        );
        let mut sep = qb.separated(", ");
        for id in ids {
            sep.push_bind(*id);
        }
        qb.push(")");
        let rows: Vec<(CustomerId, String, String, String)> =
            qb.build_query_as().fetch_all(&self.pool).await?;
        Ok(rows
            .into_iter()
            .map(|(id, first, last, city)| {
                (
                    id,
                    (fold_text(&format!("{first} {last}")), fold_text(&city)),
                )
            })
            .collect())
    }

    /// Everything a result line shows, for a set of customers.
    async fn hit_details(&self, ids: &[CustomerId]) -> Result<HashMap<CustomerId, SearchHit>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
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
        let rows: Vec<HitRow> = qb.build_query_as().fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|r| (r.id, r.into_hit())).collect())
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

/// Whole-word matches before prefixes, name before city; the full-text
/// rank (the current order) breaks ties. Hits found by a code, phone or
/// e-mail are kept first.
fn rank_by_words(
    hits: &mut [SearchHit],
    words: &[String],
    names: &HashMap<CustomerId, (String, String)>,
) {
    let score = |hit: &SearchHit| -> u32 {
        let Some((name, city)) = names.get(&hit.customer_id) else {
            return u32::MAX; // not a name hit: keep first
        };
        words
            .iter()
            .map(|w| {
                let in_words = |text: &str, exact: u32, prefix: u32| {
                    let mut best = 0;
                    for t in text.split(' ') {
                        if t == w {
                            best = best.max(exact);
                        } else if t.starts_with(w.as_str()) {
                            best = best.max(prefix);
                        }
                    }
                    best
                };
                in_words(name, 4, 2).max(in_words(city, 2, 1))
            })
            .sum()
    };
    // Stable: equal scores keep the full-text order.
    hits.sort_by_key(|h| std::cmp::Reverse(score(h)));
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
