//! Executes a search plan (see `comptoir_core::search`): exact codes first
//! (a scanned order, receipt or dossier number opens its card), then phones,
//! e-mails and names, each through an index; names through FTS5 over folded
//! words, re-ranked so that whole-word matches come before prefixes.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use comptoir_core::ids::{CustomerId, DossierId, OrderId};
use comptoir_core::model::Channel;
use comptoir_core::normalize::display_phone;
use comptoir_core::records::display_name;
use comptoir_core::search::{fts_match_expression, plan, MAX_HITS};
use comptoir_core::views::{DirectHit, MatchKind, PurchaseSummary, SearchHit, SearchResponse};
use sqlx::{QueryBuilder, Sqlite};

use crate::{Result, Store};

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
        if !plan.words.is_empty() {
            let (ranked, truncated) = self.search_names(&plan.words).await?;
            more |= truncated;
            for id in ranked {
                found.push(Found {
                    customer_id: id,
                    matched: MatchKind::Name,
                    label: None,
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
    /// whole-word matches first. The full-text index is read in key order
    /// and stops after [`NAME_CANDIDATES`] matches, so a two-letter prefix
    /// over a million customers costs no more than a precise name; when
    /// fewer match, the ranking covers them all.
    async fn search_names(&self, words: &[String]) -> Result<(Vec<CustomerId>, bool)> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT rowid, name, city FROM customer_fts WHERE customer_fts MATCH ?1 LIMIT ?2",
        )
        .bind(fts_match_expression(words))
        .bind(NAME_CANDIDATES)
        .fetch_all(&self.pool)
        .await?;
        let mut truncated = rows.len() as i64 >= NAME_CANDIDATES;
        let mut scored: Vec<(u32, i64)> = rows
            .iter()
            .map(|(seq, name, city)| (word_score(words, name, city), *seq))
            .collect();
        scored.sort_by_key(|(score, seq)| (std::cmp::Reverse(*score), *seq));
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
                .filter_map(|(_, seq)| ids.get(seq).copied())
                .collect(),
            truncated,
        ))
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

/// How well the typed words match a customer: a whole word of the name
/// counts most, then a name prefix, then the city.
fn word_score(words: &[String], name: &str, city: &str) -> u32 {
    let best = |text: &str, w: &str, exact: u32, prefix: u32| {
        text.split(' ').fold(0, |best, t| {
            if t == w {
                best.max(exact)
            } else if t.starts_with(w) {
                best.max(prefix)
            } else {
                best
            }
        })
    };
    words
        .iter()
        .map(|w| best(name, w, 6, 3).max(best(city, w, 2, 1)))
        .sum()
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
    fn whole_words_score_above_prefixes_and_names_above_cities() {
        let w = |s: &str| s.split(' ').map(str::to_owned).collect::<Vec<_>>();
        let exact = word_score(&w("martin"), "sophie martin", "lyon");
        let prefix = word_score(&w("martin"), "sophie martinez", "lyon");
        let city = word_score(&w("martin"), "sophie durand", "saint martin");
        assert!(
            exact > prefix && prefix > city && city > 0,
            "{exact} {prefix} {city}"
        );
        assert_eq!(word_score(&w("dupre lyon"), "helene dupre", "lyon"), 8);
        assert_eq!(word_score(&w("xyz"), "helene dupre", "lyon"), 0);
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
