//! The manager's dashboard on a real SQLite file: six dossiers written
//! through the store's own write path in November 2027 (a week with the
//! 11 November holiday, a weekend, a wait for the customer), every figure
//! checked against values computed by hand below.
#![allow(clippy::unwrap_used)] // tests and benches: a failed unwrap is a failed run

mod common;

use common::RawPool;

use chrono::{DateTime, NaiveDate, Utc};
use comptoir_core::auth::ManagerApproval;
use comptoir_core::calendar::CalendarConfig;
use comptoir_core::dossier::*;
use comptoir_core::ids::*;
use comptoir_core::model::{Channel, DossierOrigin};
use comptoir_core::policy::{DecisionChoice, Resolution as PolicyResolution, Severity};
use comptoir_core::report::*;
use comptoir_core::workflow::DossierAction as A;
use comptoir_core::Cents;
use comptoir_demo::showcase;
use comptoir_store::{AuditFilter, Store};

/// A local time in Paris, November 2027 (UTC+1).
fn paris(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    comptoir_core::calendar::BusinessCalendar::default()
        .local_to_utc(day(2027, 11, d).and_hms_opt(h, m, 0).unwrap())
}

/// Thursday 18 November 2027, 14:00 in Lyon: the report's "now".
fn now() -> DateTime<Utc> {
    paris(18, 14, 0)
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn november() -> ReportQuery {
    ReportQuery::new(day(2027, 11, 1), day(2027, 11, 30))
}

const H: i64 = 3600;

fn intake(customer: CustomerId, line: OrderLineId, reason: &str, clerk: &str) -> OpenDossierInput {
    OpenDossierInput {
        customer_id: customer,
        order_line_id: Some(line),
        declared_product: None,
        reason_code: reason.into(),
        customer_words: "Ça ne marche pas comme prévu.".into(),
        condition: ItemCondition::Good,
        condition_note: None,
        accessories: vec![],
        serial_number: None,
        actor: clerk.into(),
        assignee: None,
        sealed: false,
        severity: Severity::Major,
        defect_noticed_on: None,
        decision: None,
        approval: None,
    }
}

fn closing(gesture: Option<i64>) -> Resolution {
    Resolution {
        summary: "Batterie remplacée".into(),
        parts: vec![],
        cost: Cents(0),
        gesture: gesture.map(|g| Gesture {
            description: "Bon d'achat".into(),
            amount: Cents(g),
        }),
        template: "closing.repaired".into(),
    }
}

/// Closes a dossier (with the gesture given) and records the customer's
/// score on Thursday 18 at 10:00.
async fn close_and_rate(
    store: &Store,
    id: DossierId,
    gesture: Option<i64>,
    (clerk, at): (&str, DateTime<Utc>),
    (score, comment): (u8, Option<&str>),
) {
    store
        .close_dossier(id, &closing(gesture), clerk, 3, at)
        .await
        .unwrap();
    store
        .record_satisfaction(id, score, comment, clerk, paris(18, 10, 0))
        .await
        .unwrap();
}

struct Dataset {
    store: Store,
    _dir: tempfile::TempDir,
    numbers: Vec<String>,
    /// The goodwill scale's amount granted on D3 with a manager's PIN.
    scale: i64,
    robot: ProductId,
    robot_brand: String,
}

async fn open(
    store: &Store,
    customer: CustomerId,
    line: OrderLineId,
    reason: &str,
    clerk: &str,
    at: DateTime<Utc>,
) -> DossierId {
    store
        .open_dossier(&intake(customer, line, reason, clerk), at)
        .await
        .unwrap()
}

async fn number(store: &Store, id: DossierId) -> String {
    store.dossier_detail(id).await.unwrap().dossier.number
}

async fn act(store: &Store, id: DossierId, steps: &[(A, DateTime<Utc>)], clerk: &str) {
    for (a, at) in steps {
        store
            .dossier_action(id, *a, clerk, None, *at)
            .await
            .unwrap();
    }
}

/// Three store-channel lines of three customers other than Hélène, of
/// products of other brands than her robot's.
async fn other_lines(store: &Store, robot_brand: &str) -> Vec<(CustomerId, OrderLineId)> {
    sqlx::query_as(
        "SELECT o.customer_id, min(l.id) FROM order_lines l JOIN orders o ON o.id = l.order_id
         JOIN products p ON p.id = l.product_id
         WHERE o.channel = 'store' AND p.brand <> ?
         GROUP BY o.customer_id ORDER BY o.customer_id LIMIT 3",
    )
    .bind(robot_brand)
    .fetch_all(RawPool::pool(store))
    .await
    .unwrap()
}

/// D1–D6 (clerks Camille R. and Hugo T., whom the demo does not have):
///
/// | | customer | reason | opened | then |
/// |---|---|---|---|---|
/// | D1 | Hélène, robot (web) | defect.battery | Mon 8, 10:00 | decision + 10 € gesture Tue 9 11:00; wait for the customer Wed 10 15:00 → Fri 12 11:00; handed back Fri 14:00; closed Sat 13 10:00; CSAT 4 |
/// | D2 | X (store) | usage.setup_help (8 h) | Fri 12, 17:00 | diagnosed Mon 15 10:30; closed Mon 12:00; CSAT 2 |
/// | D3 | Hélène, robot | defect.battery, critical | Tue 16, 10:00 | decision with the scale's gesture, approved by Sophie Roux, at opening; open |
/// | D4 | Y (store) | delivery.damaged_by_carrier (24 h) | Mon 15, 9:30 | open |
/// | D5 | Z (store) | usage.setup_help (8 h) | Thu 18, 9:30 | open |
/// | D6 | X | billing.double_charge | Mon 15, 10:00 | cancelled 10:30 |
async fn dataset() -> Dataset {
    let (dir, store) = common::demo_store(60).await;
    store
        .set_store_calendar("LYO1", &CalendarConfig::default())
        .await
        .unwrap();
    let r = store.search(showcase::WEB_ORDER).await.unwrap();
    let helene = r.hits[0].customer_id;
    let card = store.customer_card(helene).await.unwrap();
    let robot_line = card
        .orders
        .iter()
        .find(|o| o.number == showcase::WEB_ORDER)
        .unwrap()
        .lines[0]
        .clone();
    let (robot, robot_brand): (ProductId, String) = sqlx::query_as(
        "SELECT p.id, p.brand FROM order_lines l JOIN products p ON p.id = l.product_id WHERE l.id = ?",
    )
    .bind(robot_line.id)
    .fetch_one(RawPool::pool(&store))
    .await
    .unwrap();
    let others = other_lines(&store, &robot_brand).await;
    let (x, y, z) = (others[0], others[1], others[2]);
    let (cam, hugo) = ("Camille R.", "Hugo T.");
    let mut ids = Vec::new();

    // D1
    let d1 = open(
        &store,
        helene,
        robot_line.id,
        "defect.battery",
        cam,
        paris(8, 10, 0),
    )
    .await;
    let repair = |gesture: Option<i64>| DecisionChoice {
        resolution: PolicyResolution::Repair,
        gesture: gesture.map(Cents),
        note: None,
    };
    store
        .decide(d1, &repair(Some(1_000)), None, cam, paris(9, 11, 0))
        .await
        .unwrap();
    act(
        &store,
        d1,
        &[
            (A::Diagnose, paris(9, 12, 0)),
            (A::WaitCustomer, paris(10, 15, 0)),
            (A::Resume, paris(12, 11, 0)),
            (A::MarkReady, paris(12, 12, 0)),
            (A::HandBack, paris(12, 14, 0)),
        ],
        cam,
    )
    .await;
    close_and_rate(&store, d1, Some(1_000), (cam, paris(13, 10, 0)), (4, None)).await;
    ids.push(d1);

    // D2
    let d2 = open(&store, x.0, x.1, "usage.setup_help", hugo, paris(12, 17, 0)).await;
    act(
        &store,
        d2,
        &[
            (A::Diagnose, paris(15, 10, 30)),
            (A::MarkReady, paris(15, 11, 0)),
            (A::HandBack, paris(15, 11, 30)),
        ],
        hugo,
    )
    .await;
    close_and_rate(
        &store,
        d2,
        None,
        (hugo, paris(15, 12, 0)),
        (2, Some("Long")),
    )
    .await;
    ids.push(d2);

    // D3: the scale's full gesture needs a manager.
    let mut input = intake(helene, robot_line.id, "defect.battery", cam);
    input.severity = Severity::Critical;
    let d3 = store.open_dossier(&input, paris(16, 10, 0)).await.unwrap();
    let scale = store
        .dossier_policy(d3, paris(16, 10, 0))
        .await
        .unwrap()
        .decision
        .unwrap()
        .gesture
        .unwrap()
        .amount
        .0;
    let sophie = ManagerApproval {
        login: "sophie.r".into(),
        pin: "4826".into(),
    };
    store
        .decide(
            d3,
            &repair(Some(scale)),
            Some(&sophie),
            cam,
            paris(16, 10, 0),
        )
        .await
        .unwrap();
    ids.push(d3);

    // D4, D5, D6
    let d4 = open(
        &store,
        y.0,
        y.1,
        "delivery.damaged_by_carrier",
        hugo,
        paris(15, 9, 30),
    )
    .await;
    ids.push(d4);
    let d5 = open(&store, z.0, z.1, "usage.setup_help", cam, paris(18, 9, 30)).await;
    ids.push(d5);
    let d6 = open(
        &store,
        x.0,
        x.1,
        "billing.double_charge",
        hugo,
        paris(15, 10, 0),
    )
    .await;
    act(&store, d6, &[(A::Cancel, paris(15, 10, 30))], hugo).await;
    ids.push(d6);

    let mut numbers = Vec::new();
    for id in ids {
        numbers.push(number(&store, id).await);
    }
    Dataset {
        store,
        _dir: dir,
        numbers,
        scale,
        robot,
        robot_brand,
    }
}

fn keys(rows: &[LabelledCount]) -> Vec<(&str, u32)> {
    rows.iter().map(|r| (r.key.as_str(), r.count)).collect()
}

#[tokio::test]
async fn every_figure_of_a_small_month_computed_by_hand() {
    let ds = dataset().await;
    let r = ds.store.dashboard(&november(), now()).await.unwrap();

    assert_eq!(
        r.period,
        PeriodCounts {
            opened: 6,
            open: 3,      // D3, D4, D5
            done: 2,      // D1, D2
            cancelled: 1, // D6
            // D2: 8 h from Fri 17:00 = Fri 2 h + Sat 6 h → Sat 15:30; closed Mon 12:00.
            done_late: 1,
            // D1: 48 h from Mon 8 10:00 (Thursday the 11th closed) → Mon 15 10:30,
            // + 5.5 h of waiting → Mon 15 16:00; closed Sat 13.
            done_on_time: 1,
            // D4: 24 h from Mon 15 9:30 → Wed 17 14:30, past at Thu 18 14:00.
            open_late: 1,
            // D5: 8 h from Thu 18 9:30 → 17:30; 3.5 h left < max(25 % × 8 h, 4 h).
            // (D3: 48 h from Tue 16 10:00 → Mon 22 10:30; 25 h left ≥ 12 h: on time.)
            open_at_risk: 1,
        }
    );

    // First response (working seconds; Mon–Sat 9:30–19:00):
    // D1 decision Tue 9 11:00: Mon 10:00–19:00 9 h + Tue 1.5 h = 10.5 h;
    // D2 diagnosis Mon 15 10:30: Fri 2 h + Sat 9.5 h + (Sunday) + Mon 1 h = 12.5 h;
    // D3 decision at opening: 0; D6 cancelled after 0.5 h; D4, D5: none yet.
    // Sorted [0, 0.5, 10.5, 12.5] h: median = 2nd (ceil 4 × 0.5), p90 = 4th (ceil 3.6).
    assert_eq!(
        r.first_response,
        DurationStats {
            count: 4,
            median_seconds: Some(H / 2),
            p90_seconds: Some(25 * H / 2),
        }
    );
    // Resolution: D1 Mon 8 10:00 → closed Sat 13 10:00 = 9 + 9.5 + 9.5 + 0 (11 Nov)
    // + 9.5 + 0.5 = 38 h, minus the wait Wed 15:00 → Fri 11:00 (Wed 4 h + Fri 1.5 h)
    // = 32.5 h; D2 Fri 17:00 → Mon 12:00 = 2 + 9.5 + 2.5 = 14 h. Sorted [14, 32.5]:
    // median = 1st, p90 = 2nd.
    assert_eq!(
        r.resolution,
        DurationStats {
            count: 2,
            median_seconds: Some(14 * H),
            p90_seconds: Some(65 * H / 2),
        }
    );

    assert_eq!(
        keys(&r.reasons),
        vec![
            ("defect.battery", 2),
            ("usage.setup_help", 2),
            ("billing.double_charge", 1),
            ("delivery.damaged_by_carrier", 1),
        ]
    );
    assert_eq!(
        r.reasons[1].label,
        "Aide à l'installation ou à l'utilisation"
    );
    let robot = r
        .products
        .iter()
        .find(|p| p.product_id == ds.robot)
        .unwrap();
    assert_eq!(
        (robot.dossiers, robot.top_reason.key.as_str()),
        (2, "defect.battery")
    );
    assert_eq!(robot.units_sold, None, "not asked");
    assert_eq!(r.products.iter().map(|p| p.dossiers).sum::<u32>(), 6);
    let brand = r.brands.iter().find(|b| b.brand == ds.robot_brand).unwrap();
    assert_eq!(brand.dossiers, 2);

    // Hélène (D1, D3) and X (D2, D6).
    assert_eq!(
        (r.repeat_customers.customers, r.repeat_customers.dossiers),
        (2, 4)
    );
    assert_eq!(r.repeat_customers.top[0].dossiers, 2);

    // D1: 10 € given at closure; D3: the scale's amount granted (open).
    assert_eq!(r.gestures.count, 2);
    assert_eq!(r.gestures.cost, Cents(1_000 + ds.scale));
    assert_eq!(r.gestures.by_clerk.len(), 1);
    assert_eq!(r.gestures.by_clerk[0].key, "Camille R.");
    assert_eq!(r.gestures.by_reason[0].key, "defect.battery");
    assert_eq!(keys(&r.decisions), vec![("legal", 2)]);
    assert_eq!(r.approvals.iter().map(|a| a.count).sum::<u32>(), 1);

    // CSAT: 4 and 2 from the 2 dossiers done: 100 %, average 3.
    assert_eq!(r.csat.distribution, [0, 1, 0, 1, 0]);
    assert_eq!((r.csat.responses, r.csat.asked), (2, 2));
    assert_eq!(r.csat.average, Some(3.0));
    assert_eq!(r.csat.response_rate, Some(1.0));
    assert_eq!(
        keys(&r.origins),
        vec![("store", 6), ("web", 0), ("phone", 0)]
    );
}

#[tokio::test]
async fn filters_combine_and_drill_down_to_the_dossiers() {
    let ds = dataset().await;
    let s = &ds.store;
    let n = &ds.numbers;
    let numbers = |d: &DrillDown| d.rows.iter().map(|r| r.number.clone()).collect::<Vec<_>>();

    // (filters, opened, done, open): AND of every filter set.
    let f = |g: &dyn Fn(&mut ReportFilters)| {
        let mut q = november();
        g(&mut q.filters);
        q
    };
    let cases: Vec<(&str, ReportQuery, u32, u32)> = vec![
        ("clerk", f(&|f| f.clerk = Some("Camille R.".into())), 3, 1),
        (
            "clerk + reason",
            f(&|f| {
                f.clerk = Some("camille r.".into());
                f.reason = Some("defect.battery".into());
            }),
            2,
            1,
        ),
        (
            "brand + web channel",
            f(&|f| {
                f.brand = Some(ds.robot_brand.clone());
                f.channel = Some(Channel::Web);
            }),
            2,
            1,
        ),
        (
            "store channel + Hugo",
            f(&|f| {
                f.channel = Some(Channel::Store);
                f.clerk = Some("Hugo T.".into());
            }),
            3,
            1,
        ),
        ("product", f(&|f| f.product_id = Some(ds.robot)), 2, 1),
        (
            "online only",
            f(&|f| f.origin = Some(DossierOrigin::Web)),
            0,
            0,
        ),
        (
            "robot bought in store",
            f(&|f| {
                f.product_id = Some(ds.robot);
                f.channel = Some(Channel::Store);
            }),
            0,
            0,
        ),
        (
            "unknown SKU",
            f(&|f| f.sku = Some("NOPE-0000".into())),
            0,
            0,
        ),
    ];
    for (what, q, opened, done) in cases {
        let r = s.dashboard(&q, now()).await.unwrap();
        assert_eq!((r.period.opened, r.period.done), (opened, done), "{what}");
    }

    // Backlog now, per clerk: Hugo has D4 (late); Camille D3 (on time), D5 (at risk).
    let hugo = f(&|f| f.clerk = Some("Hugo T.".into()));
    let b = s.dashboard(&hugo, now()).await.unwrap().backlog;
    assert_eq!((b.open, b.late, b.at_risk, b.on_time), (1, 1, 0, 0));
    let cam = f(&|f| f.clerk = Some("Camille R.".into()));
    let b = s.dashboard(&cam, now()).await.unwrap().backlog;
    assert_eq!((b.open, b.late, b.at_risk, b.on_time), (2, 0, 1, 1));

    let drill = |q: ReportQuery, fig: Figure, limit: usize| async move {
        s.drill_down(&q, &fig, limit, now()).await.unwrap()
    };
    let d = drill(november(), Figure::Reason("defect.battery".into()), 50).await;
    assert_eq!(
        (numbers(&d), d.total, d.truncated),
        (vec![n[0].clone(), n[2].clone()], 2, false)
    );
    let d = drill(november(), Figure::Reason("defect.battery".into()), 1).await;
    assert_eq!(
        (numbers(&d), d.total, d.truncated),
        (vec![n[0].clone()], 2, true)
    );
    let d = drill(hugo.clone(), Figure::BacklogLate, 50).await;
    assert_eq!(numbers(&d), vec![n[3].clone()]);
    let d = drill(cam.clone(), Figure::BacklogAtRisk, 50).await;
    assert_eq!(numbers(&d), vec![n[4].clone()]);
    // Oldest first: D1 (8th), D2 (12th), D6 (15th 10:00), D3 (16th).
    let d = drill(november(), Figure::RepeatCustomers, 50).await;
    assert_eq!(
        numbers(&d),
        vec![n[0].clone(), n[1].clone(), n[5].clone(), n[2].clone()]
    );
    let d = drill(november(), Figure::Csat(2), 50).await;
    assert_eq!(numbers(&d), vec![n[1].clone()]);
    let d = drill(november(), Figure::Gestures, 50).await;
    assert_eq!(numbers(&d), vec![n[0].clone(), n[2].clone()]);
    let d = drill(november(), Figure::Approvals, 50).await;
    assert_eq!(numbers(&d), vec![n[2].clone()]);
    let d = drill(november(), Figure::DoneLate, 50).await;
    assert_eq!(numbers(&d), vec![n[1].clone()]);
    let d = drill(november(), Figure::Opened, 50).await;
    assert_eq!(d.total, 6);
    let d = drill(november(), Figure::Product(ds.robot), 50).await;
    assert_eq!(d.total, 2);
    // Each row as the counter's own list shows the same dossier (its query
    // joins the customer and the product in SQL): names, product, status,
    // dates, standing against the deadline.
    let d = drill(november(), Figure::StillOpen, 50).await;
    let listed = s
        .list_dossiers(DossierList::StoreOpen, None, now())
        .await
        .unwrap();
    assert_eq!(d.rows.len(), 3);
    for row in &d.rows {
        assert!(!row.customer_name.trim().is_empty() && row.product_name.is_some());
        let same = listed.iter().find(|l| l.id == row.id);
        assert_eq!(Some(row), same, "{}", row.number);
    }

    // Sales in the period: none in 2027, so no rate.
    let mut q = november();
    q.units_sold = true;
    let r = s.dashboard(&q, now()).await.unwrap();
    let robot = r
        .products
        .iter()
        .find(|p| p.product_id == ds.robot)
        .unwrap();
    assert_eq!(
        (robot.units_sold, robot.per_thousand_units),
        (Some(0), None)
    );
}

#[tokio::test]
async fn empty_and_bad_periods() {
    let ds = dataset().await;
    let s = &ds.store;
    let empty = ReportQuery::new(day(2030, 12, 1), day(2030, 12, 31));
    let r = s.dashboard(&empty, now()).await.unwrap();
    assert_eq!(r.period, PeriodCounts::default());
    assert_eq!(r.first_response, DurationStats::default());
    assert!(r.reasons.is_empty() && r.products.is_empty() && r.brands.is_empty());
    assert_eq!((r.csat.response_rate, r.csat.average), (None, None));
    assert_eq!(r.gestures.cost, Cents(0));
    let d = s
        .drill_down(&empty, &Figure::Opened, 10, now())
        .await
        .unwrap();
    assert_eq!((d.total, d.rows.len()), (0, 0));

    for (q, code) in [
        (
            ReportQuery::new(day(2027, 11, 30), day(2027, 11, 1)),
            "report_period_inverted",
        ),
        (
            ReportQuery::new(day(2017, 1, 1), day(2026, 12, 31)),
            "report_period_too_long",
        ),
    ] {
        let e = s.dashboard(&q, now()).await.unwrap_err();
        assert_eq!(e.code(), code);
        assert!(!e.message_fr().is_empty());
        let e = s
            .drill_down(&q, &Figure::Opened, 10, now())
            .await
            .unwrap_err();
        assert_eq!(e.code(), code);
    }
}

#[tokio::test]
async fn a_table_is_exported_whole_with_its_audit_entry_or_not_at_all() {
    let ds = dataset().await;
    let s = &ds.store;
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("motifs.csv");
    let export = ReportExport {
        table: "motifs".into(),
        figure: None,
        separator: Delimiter::Semicolon,
        bom: true,
    };
    let written = s
        .export_report(&november(), &export, &path, "sophie.r", now())
        .await
        .unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(written.bytes, bytes.len() as u64);
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    // Four reasons among the six dossiers (D1 and D3 share one, D2 and D5 another).
    assert_eq!(written.rows, 4);
    assert_eq!(text.lines().count(), 5, "{text}");
    assert!(text.starts_with("motif;libellé;dossiers\r\n"), "{text}");
    assert!(text.contains("usage.setup_help;"), "{text}");
    let entries = s.audit_entries(Some("report_exported"), 10).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor, "sophie.r");
    assert_eq!(entries[0].subject, "motifs");
    assert_eq!(entries[0].detail["rows"], 4);
    assert_eq!(entries[0].detail["from"], "2027-11-01");

    // The dossiers behind a figure: every one, in a comma-separated file.
    let list = out.path().join("dossiers.csv");
    let w = s
        .export_report(
            &november(),
            &ReportExport {
                table: "dossiers".into(),
                figure: Some(Figure::Reason("usage.setup_help".into())),
                separator: Delimiter::Comma,
                bom: false,
            },
            &list,
            "sophie.r",
            now(),
        )
        .await
        .unwrap();
    assert_eq!(w.rows, 2, "D2 and D5");
    let text = std::fs::read_to_string(&list).unwrap();
    assert!(
        text.contains(&ds.numbers[1]) && text.contains(&ds.numbers[4]),
        "{text}"
    );

    // Refused: an unknown table, a folder that cannot be written, a bad
    // period — no file, no audit entry.
    let e = s
        .export_report(
            &november(),
            &ReportExport {
                table: "nope".into(),
                ..export.clone()
            },
            &out.path().join("x.csv"),
            "sophie.r",
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "unknown_table");
    let blocker = out.path().join("fichier");
    std::fs::write(&blocker, "pas un dossier").unwrap();
    let e = s
        .export_report(
            &november(),
            &export,
            &blocker.join("m.csv"),
            "sophie.r",
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "export_not_written");
    assert!(
        e.message_fr().contains("Rien n'a été écrit"),
        "{}",
        e.message_fr()
    );
    let inverted = ReportQuery::new(day(2027, 11, 30), day(2027, 11, 1));
    let e = s
        .export_report(
            &inverted,
            &export,
            &out.path().join("y.csv"),
            "sophie.r",
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "report_period_inverted");
    let mut names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, vec!["dossiers.csv", "fichier", "motifs.csv"]);
    assert_eq!(
        s.audit_entries(Some("report_exported"), 10)
            .await
            .unwrap()
            .len(),
        2
    );
    s.verify_audit().await.unwrap();

    // The manager's screen of the log: filtered by kind and by who, newest
    // first, in pages, with the chain checked.
    let all = s.audit_view(&AuditFilter::default()).await.unwrap();
    assert_eq!(all.broken, None);
    assert_eq!(
        all.entries as usize,
        all.lines.len(),
        "one page holds them all"
    );
    assert!(all
        .lines
        .windows(2)
        .all(|w| w[0].entry.seq > w[1].entry.seq));
    let exports = s
        .audit_view(&AuditFilter {
            kind: Some("report_exported".into()),
            actor: Some("SOPHIE.R".into()),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(exports.lines.len(), 2);
    assert!(exports
        .lines
        .iter()
        .all(|l| l.label == "Export d'un tableau (CSV)" && l.entry.actor == "sophie.r"));
    let page = s
        .audit_view(&AuditFilter {
            limit: Some(1),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert!(page.more && page.lines.len() == 1);
    let next = s
        .audit_view(&AuditFilter {
            limit: Some(1),
            before: Some(page.lines[0].entry.seq),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(next.lines[0].entry.seq, page.lines[0].entry.seq - 1);
    let nobody = s
        .audit_view(&AuditFilter {
            actor: Some("personne".into()),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert!(nobody.lines.is_empty() && !nobody.more);
}

#[tokio::test]
async fn the_filters_offer_what_the_dossiers_are_about_and_the_usual_periods() {
    let ds = dataset().await;
    let c = ds.store.report_choices(now()).await.unwrap();
    // The robot has dossiers; the filters list it by its id, with its brand.
    let robot = c
        .products
        .iter()
        .find(|p| p.key == ds.robot.0.to_string())
        .expect("the robot is offered");
    assert!(robot.label.contains(&ds.robot_brand), "{}", robot.label);
    assert!(c.brands.contains(&ds.robot_brand));
    // Only products some dossier is about (the demo's and the six above).
    let about: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT lower(hex(product_id)) FROM dossiers WHERE product_id IS NOT NULL",
    )
    .fetch_all(RawPool::pool(&ds.store))
    .await
    .unwrap();
    let mut offered: Vec<String> = c.products.iter().map(|p| p.key.replace('-', "")).collect();
    let mut about: Vec<String> = about.into_iter().map(|r| r.0).collect();
    offered.sort();
    about.sort();
    assert_eq!(offered, about);
    let catalogue: i64 = sqlx::query_scalar("SELECT count(*) FROM products")
        .fetch_one(RawPool::pool(&ds.store))
        .await
        .unwrap();
    assert!(
        (c.products.len() as i64) < catalogue,
        "not the whole catalogue"
    );
    assert!(c.reasons.iter().any(|r| r.key == "defect.battery"));
    assert!(c.clerks.iter().any(|u| u.key == "sophie.r"));
    assert_eq!(c.channels.len(), 3);
    assert_eq!(c.origins.len(), 3);
    // « 30 derniers jours » first, ending today in Lyon.
    assert_eq!(c.periods[0].to, day(2027, 11, 18));
    assert_eq!(c.periods[0].from, day(2027, 10, 20));
    for p in &c.periods {
        ds.store
            .dashboard(&ReportQuery::new(p.from, p.to), now())
            .await
            .unwrap();
    }
}

/// The dashboard counts from its in-memory copy of `dossier_figures`: a
/// write by another handle on the file (another process: the sync task,
/// `comptoir-ctl`) shows in the next report without reopening, and a file
/// from before that table gets every dossier's figures from the fold of
/// its events when it is opened.
#[tokio::test]
async fn the_figures_follow_every_writer_and_an_old_file_gets_them_at_opening() {
    let ds = dataset().await;
    let q = november();
    let before = ds.store.dashboard(&q, now()).await.unwrap();
    assert_eq!((before.period.open, before.period.cancelled), (3, 1));

    // Another handle cancels the oldest open dossier (D4, Mon 15).
    let open = ds
        .store
        .drill_down(&q, &Figure::StillOpen, 10, now())
        .await
        .unwrap();
    assert_eq!(open.rows[0].number, ds.numbers[3]);
    let other = Store::open(ds.store.path(), comptoir_store::OpenMode::MustExist)
        .await
        .unwrap();
    act(
        &other,
        open.rows[0].id,
        &[(A::Cancel, paris(19, 9, 0))],
        "Hugo T.",
    )
    .await;
    other.close().await;
    let after = ds.store.dashboard(&q, now()).await.unwrap();
    assert_eq!((after.period.open, after.period.cancelled), (2, 2));
    assert_eq!(after.backlog.open, before.backlog.open - 1);
    let cancelled = ds
        .store
        .drill_down(&q, &Figure::StillOpen, 10, now())
        .await
        .unwrap();
    assert_eq!(cancelled.total, 2);
    assert!(cancelled.rows.iter().all(|r| r.number != ds.numbers[3]));

    // The same file as version 12 left it: no figures, no projected first
    // response nor waits (the UPDATE runs first: its trigger would write
    // the figures back).
    let raw = RawPool::pool(&ds.store);
    sqlx::query("UPDATE dossiers SET first_response_at = NULL, customer_waits = NULL")
        .execute(raw)
        .await
        .unwrap();
    sqlx::query("DELETE FROM dossier_figures")
        .execute(raw)
        .await
        .unwrap();
    let path = ds.store.path().to_owned();
    ds.store.close().await;
    let reopened = Store::open(&path, comptoir_store::OpenMode::MustExist)
        .await
        .unwrap();
    let (dossiers, figures, waited): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM dossiers), (SELECT count(*) FROM dossier_figures),
                (SELECT count(*) FROM dossiers WHERE customer_waits IS NOT NULL)",
    )
    .fetch_one(raw)
    .await
    .unwrap();
    assert_eq!(figures, dossiers);
    assert!(waited >= 1, "D1 waited for the customer");
    assert!(reopened.verify_dossiers().await.unwrap().is_empty());
    let again = reopened.dashboard(&q, now()).await.unwrap();
    assert_eq!(again, after);
    reopened.close().await;
}
