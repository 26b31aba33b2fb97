//! The server's stories, each run on SQLite and on PostgreSQL: the real
//! server in-process on port 0, driven over real HTTP.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::Utc;
use common::*;
use serde_json::{json, Value};

fn ids(changes: &[Value]) -> Vec<String> {
    changes
        .iter()
        .map(|c| c["change"]["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn health_and_openapi(db: Db) {
    let storage = db.storage().await;
    let srv = serve(storage, test_settings()).await;
    let c = Client::new(&srv.url());

    let r = c
        .http
        .get(format!("{}/health", srv.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers().get("x-request-id").is_some(),
        "request id echoed"
    );
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "ok", "{v}");
    assert_eq!(v["migrations_applied"], v["migrations_expected"]);
    assert_eq!(
        v["backend"],
        if db.pg_url().is_some() {
            "postgres"
        } else {
            "sqlite"
        }
    );

    let (s, api) = c.get("/openapi.json").await;
    assert_eq!(s, 200);
    for p in ["/health", "/v1/enrol", "/v1/push", "/v1/pull"] {
        assert!(api["paths"][p].is_object(), "{p} documented");
    }
    assert!(api["components"]["schemas"]["ChangeEnvelope"].is_object());
    assert!(api["components"]["securitySchemes"]["device_token"].is_object());

    let (s, v) = c.get("/nowhere").await;
    assert_eq!((s, v["code"].as_str()), (404, Some("not_found")), "{v}");
    let (s, v) = c.post_json("/health", &json!({})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (405, Some("method_not_allowed")),
        "{v}"
    );
    srv.shutdown().await.unwrap();
}
both!(health_and_openapi);

async fn enrolment_and_revocation(db: Db) {
    let storage = db.storage().await;
    let srv = serve(storage.clone(), test_settings()).await;
    let base = srv.url();
    let anon = Client::new(&base);
    storage
        .add_store("LYO1", "Lyon Part-Dieu", false, Utc::now())
        .await
        .unwrap();

    // A code works once, typed in lower case with spaces.
    let code = comptoir_server::admin::enrol_code(storage.as_ref(), "LYO1", 3600, Utc::now())
        .await
        .unwrap();
    let typed = code.code.to_lowercase().replace('-', " ");
    let (s, v) = anon
        .post_json(
            "/v1/enrol",
            &json!({"code": typed, "device_name": "Comptoir 1"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["store_code"], "LYO1");
    let token = v["token"].as_str().unwrap().to_owned();
    let device_id = v["device_id"].as_str().unwrap().to_owned();
    let (s, v) = anon
        .post_json(
            "/v1/enrol",
            &json!({"code": code.code, "device_name": "Comptoir 2"}),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (401, Some("enrol_code_used")),
        "{v}"
    );
    assert!(v["message"].as_str().unwrap().contains("déjà servi"));

    let (s, v) = anon
        .post_json(
            "/v1/enrol",
            &json!({"code": "AAAA-BBBB-CCCC", "device_name": "X"}),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (401, Some("enrol_code_unknown")),
        "{v}"
    );

    let expired = comptoir_server::admin::enrol_code(storage.as_ref(), "LYO1", -1, Utc::now())
        .await
        .unwrap();
    let (s, v) = anon
        .post_json(
            "/v1/enrol",
            &json!({"code": expired.code, "device_name": "X"}),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (401, Some("enrol_code_expired")),
        "{v}"
    );

    // Enrolment for an unknown store is refused.
    assert!(
        comptoir_server::admin::enrol_code(storage.as_ref(), "NOPE", 60, Utc::now())
            .await
            .is_err()
    );

    // The token authenticates; the database keeps only its hash.
    let dev = Client::with_token(&base, &token);
    let (s, v) = dev.get("/v1/whoami").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["device_id"].as_str().unwrap(), device_id);
    let other = enrol(storage.as_ref(), &base, "LYO1").await;
    let devices = storage.list_devices(Some("LYO1")).await.unwrap();
    assert_eq!(devices.len(), 2);

    // Revocation applies to the next request; the other counter goes on.
    storage
        .revoke_device(device_id.parse().unwrap(), Utc::now())
        .await
        .unwrap();
    let (s, v) = dev.get("/v1/pull").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (401, Some("device_revoked")),
        "{v}"
    );
    let (s, v) = dev
        .push(&[change("LYO1", other.device_id, "dossier.event", json!({}))])
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (401, Some("device_revoked")),
        "{v}"
    );
    let (s, _) = Client::with_token(&base, &other.token)
        .get("/v1/pull")
        .await;
    assert_eq!(s, 200);
    srv.shutdown().await.unwrap();
}
both!(enrolment_and_revocation);

async fn push_and_pull(db: Db) {
    let storage = db.storage().await;
    let srv = serve(storage.clone(), test_settings()).await;
    let base = srv.url();
    let lyo = enrol(storage.as_ref(), &base, "LYO1").await;
    let par = enrol(storage.as_ref(), &base, "PAR2").await;
    let lyo_c = Client::with_token(&base, &lyo.token);
    let par_c = Client::with_token(&base, &par.token);

    let a = change("LYO1", lyo.device_id, "dossier.event", json!({"n": 1}));
    let b = change(
        "LYO1",
        lyo.device_id,
        "store.setting",
        json!({"clerk": "Julie"}),
    );
    let mut unknown = change("LYO1", lyo.device_id, "dossier.hack", json!({}));
    unknown.id = uuid::Uuid::now_v7();
    let mut ahead = change("LYO1", lyo.device_id, "customer.field", json!({}));
    ahead.hlc = format!("{:015}-0000-x", Utc::now().timestamp_millis() + 3_600_000);
    let c = change(
        "LYO1",
        lyo.device_id,
        "customer.field",
        json!({"field": "city"}),
    );
    let (s, v) = lyo_c
        .push(&[
            a.clone(),
            b.clone(),
            unknown.clone(),
            ahead.clone(),
            c.clone(),
        ])
        .await;
    assert_eq!(s, 200, "{v}");
    let outcomes: Vec<(&str, Option<&str>)> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["outcome"].as_str().unwrap(), r["code"].as_str()))
        .collect();
    assert_eq!(
        outcomes,
        vec![
            ("applied", None),
            ("applied", None),
            ("rejected", Some("unknown_kind")),
            ("rejected", Some("hlc_ahead")),
            ("applied", None),
        ],
        "a rejected change does not block the ones after it"
    );
    assert!(v["results"][3]["reason"]
        .as_str()
        .unwrap()
        .contains("horloge"));

    // The same batch again: duplicates, nothing new in the feed.
    let (s, v) = lyo_c.push(&[a.clone(), c.clone()]).await;
    assert_eq!(s, 200);
    assert!(
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["outcome"] == "duplicate"),
        "{v}"
    );

    let p = change(
        "PAR2",
        par.device_id,
        "customer.created",
        json!({"name": "Hélène"}),
    );
    let (s, _) = par_c.push(std::slice::from_ref(&p)).await;
    assert_eq!(s, 200);

    // PAR2 sees the chain's changes, not LYO1's store setting.
    let (seen, cursor) = par_c.pull_at_least(String::new(), 3).await;
    assert_eq!(
        ids(&seen),
        vec![a.id.to_string(), c.id.to_string(), p.id.to_string()]
    );
    assert_eq!(seen[0]["change"]["payload"], a.payload, "served as pushed");
    assert_eq!(seen[0]["scope"], "chain");
    // LYO1 sees its own store's change too.
    let (lseen, _) = lyo_c.pull_at_least(String::new(), 4).await;
    assert_eq!(
        ids(&lseen),
        vec![
            a.id.to_string(),
            b.id.to_string(),
            c.id.to_string(),
            p.id.to_string()
        ]
    );
    assert_eq!(lseen[1]["scope"], "store");
    let round: comptoir_sync::ChangeEnvelope =
        serde_json::from_value(lseen[1]["change"].clone()).unwrap();
    assert_eq!(round, b, "served as pushed");

    // From the cursor: only what is new, in small pages.
    let later: Vec<_> = (0..5)
        .map(|i| change("LYO1", lyo.device_id, "dossier.event", json!({"i": i})))
        .collect();
    assert_eq!(lyo_c.push(&later).await.0, 200);
    let (s, v) = par_c.get(&format!("/v1/pull?after={cursor}&limit=2")).await;
    assert_eq!(s, 200);
    assert_eq!(v["changes"].as_array().unwrap().len(), 2);
    assert_eq!(v["more"], true);
    let (rest, _) = par_c.pull_at_least(cursor, 5).await;
    assert_eq!(
        ids(&rest),
        later.iter().map(|c| c.id.to_string()).collect::<Vec<_>>()
    );
    srv.shutdown().await.unwrap();
}
both!(push_and_pull);

async fn bad_input(db: Db) {
    let storage = db.storage().await;
    let settings = test_settings();
    let max_batch = settings.max_batch;
    let srv = serve(storage.clone(), settings).await;
    let base = srv.url();
    let lyo = enrol(storage.as_ref(), &base, "LYO1").await;
    let par = enrol(storage.as_ref(), &base, "PAR2").await;
    let lyo_c = Client::with_token(&base, &lyo.token);
    let par_c = Client::with_token(&base, &par.token);
    let (_, start) = par_c.pull_all(String::new()).await;

    let expect = |what: &str, got: (u16, Value), status: u16, code: &str| {
        assert_eq!(got.0, status, "{what}: {}", got.1);
        assert_eq!(got.1["code"], code, "{what}: {}", got.1);
        assert!(
            got.1["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{what}: a French message"
        );
    };

    expect(
        "malformed JSON",
        lyo_c
            .post_raw("/v1/push", b"{\"changes\": [".to_vec())
            .await,
        400,
        "bad_json",
    );
    expect(
        "not a batch",
        lyo_c.post_json("/v1/push", &json!({"changes": 3})).await,
        400,
        "bad_json",
    );
    expect(
        "unknown field",
        lyo_c
            .post_json("/v1/push", &json!({"changes": [], "x": 1}))
            .await,
        400,
        "bad_json",
    );
    let r = lyo_c
        .http
        .post(format!("{base}/v1/push"))
        .bearer_auth(&lyo.token)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "no content type");

    let big = vec![b' '; 70 * 1024];
    let mut body = b"{\"changes\": []".to_vec();
    body.extend_from_slice(&big);
    body.push(b'}');
    expect(
        "body over the limit",
        lyo_c.post_raw("/v1/push", body).await,
        413,
        "body_too_large",
    );

    let batch: Vec<_> = (0..=max_batch)
        .map(|_| change("LYO1", lyo.device_id, "dossier.event", json!({})))
        .collect();
    expect(
        "batch over the limit",
        lyo_c.push(&batch).await,
        413,
        "batch_too_large",
    );

    let good = change("LYO1", lyo.device_id, "dossier.event", json!({}));
    expect(
        "no credentials",
        Client::new(&base).push(std::slice::from_ref(&good)).await,
        401,
        "credentials_missing",
    );
    expect(
        "wrong token",
        Client::with_token(&base, "cpt1_0000")
            .push(std::slice::from_ref(&good))
            .await,
        401,
        "credentials_invalid",
    );
    expect(
        "not a bearer token",
        Client::with_token(&base, "hello").get("/v1/pull").await,
        401,
        "credentials_invalid",
    );

    // Another store's change in the batch: refused whole, nothing stored.
    let foreign = change("PAR2", lyo.device_id, "dossier.event", json!({}));
    expect(
        "foreign store",
        lyo_c.push(&[good.clone(), foreign]).await,
        403,
        "foreign_store",
    );

    expect(
        "bad cursor",
        par_c.get("/v1/pull?after=zz").await,
        400,
        "bad_cursor",
    );
    expect(
        "zero limit",
        par_c.get("/v1/pull?limit=0").await,
        400,
        "bad_query",
    );
    expect(
        "bad limit",
        par_c.get("/v1/pull?limit=-3").await,
        400,
        "bad_query",
    );
    expect(
        "bad enrol body",
        Client::new(&base)
            .post_json("/v1/enrol", &json!({"code": 1}))
            .await,
        400,
        "bad_json",
    );

    // Nothing of the refused batches reached the feed.
    let (after, _) = par_c.pull_all(start.clone()).await;
    assert!(after.is_empty(), "{after:?}");

    // And the server still serves everyone.
    let (s, v) = lyo_c.push(std::slice::from_ref(&good)).await;
    assert_eq!(
        (s, v["results"][0]["outcome"].as_str()),
        (200, Some("applied")),
        "{v}"
    );
    let (after, _) = par_c.pull_at_least(start, 1).await;
    assert_eq!(ids(&after), vec![good.id.to_string()]);
    srv.shutdown().await.unwrap();
}
both!(bad_input);
