// Weak signals (on the card and as the store's list), the follow-up queue
// with the outcome of each call, the thresholds a manager sets, and a
// customer's RGPD export and erasure. Every rule and every sentence comes
// from Rust; these components lay them out and send what was chosen.
import { useEffect, useState, type FormEvent } from "react";

import type { Api, CommandError } from "../api";
import { toCommandError } from "../api";
import type { FollowUpItem } from "../bindings/FollowUpItem";
import type { FollowUpOutcome } from "../bindings/FollowUpOutcome";
import type { SignalThresholds } from "../bindings/SignalThresholds";
import type { WeakSignal } from "../bindings/WeakSignal";
import type { WeakSignalList } from "../bindings/WeakSignalList";
import { formatCount, plural, type Formatter } from "../format";
import { AlertRegion } from "./AlertRegion";
import { Icon } from "./Icon";

export interface SignalLinks {
  onOpenDossier(dossierId: string): void;
  onOpenCustomer?(customerId: string): void;
}

/** Signals, each with its sentence and a link to what it is about. */
export function SignalItems({ signals, links, showCustomer }: { signals: WeakSignal[]; links: SignalLinks; showCustomer?: boolean }) {
  return (
    <ul className="signals">
      {signals.map((s, i) => (
        <li key={`${s.kind}-${i}`} className={`signal signal-${s.kind}`} data-kind={s.kind}>
          <Icon name="alert" /> <strong className="signal-kind">{s.kind_label}</strong> · <span className="signal-sentence">{s.sentence}</span>{" "}
          {s.target.type === "dossier" ? (
            <button type="button" className="button link" onClick={() => links.onOpenDossier((s.target as { dossier_id: string }).dossier_id)}>
              Ouvrir {(s.target as { number: string }).number}
            </button>
          ) : null}
          {showCustomer && s.customer_id && links.onOpenCustomer ? (
            <button type="button" className="button link" onClick={() => links.onOpenCustomer?.(s.customer_id!)}>
              Fiche de {s.customer_name}
            </button>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

/** The card's signals, read with the card (and again when a sync brings changes). */
export function CardSignals({ api, customerId, version, links }: { api: Api; customerId: string; version: number; links: SignalLinks }) {
  const [signals, setSignals] = useState<WeakSignal[]>([]);
  useEffect(() => {
    let live = true;
    api.customerSignals(customerId).then(
      (s) => live && setSignals(s),
      (e) => console.warn("signals unavailable", toCommandError(e)),
    );
    return () => {
      live = false;
    };
  }, [api, customerId, version]);
  if (signals.length === 0) return null;
  return (
    <section className="panel signals-panel" aria-labelledby="signals-title" id="card-signals">
      <h2 id="signals-title">
        <Icon name="alert" /> Signaux faibles ({signals.length})
      </h2>
      <SignalItems signals={signals} links={links} />
    </section>
  );
}

/** The store's weak signals. */
export function SignalsScreen({ api, links }: { api: Api; links: SignalLinks }) {
  const [list, setList] = useState<WeakSignalList | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  useEffect(() => {
    let live = true;
    api.weakSignals().then(
      (l) => live && setList(l),
      (e) => live && setError(toCommandError(e)),
    );
    return () => {
      live = false;
    };
  }, [api]);
  return (
    <main className="screen signals-screen" aria-labelledby="signals-screen-title">
      <h1 id="signals-screen-title">
        <Icon name="alert" /> Signaux faibles du magasin
      </h1>
      <AlertRegion error={error} />
      <p className="search-status" role="status">
        {list === null && !error ? "Chargement…" : null}
        {list
          ? list.total === 0
            ? "Aucun signal : rien ne demande d'attention particulière."
            : list.truncated
              ? `${formatCount(list.total)} signaux, les ${list.signals.length} plus urgents ci-dessous.`
              : plural(list.total, "signal", "signaux")
          : null}
      </p>
      {list ? <SignalItems signals={list.signals} links={links} showCustomer /> : null}
    </main>
  );
}

/** The follow-up queue: oldest first, the customer's phone at hand, the outcome recorded on the timeline. */
export function FollowUpScreen({ api, fmt, links }: { api: Api; fmt: Formatter; links: SignalLinks }) {
  const [items, setItems] = useState<FollowUpItem[] | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    api.followUpQueue().then(
      (q) => live && setItems(q),
      (e) => live && setError(toCommandError(e)),
    );
    return () => {
      live = false;
    };
  }, [api, version]);

  async function record(item: FollowUpItem, outcome: FollowUpOutcome, note: string) {
    setError(null);
    setDone(null);
    try {
      const r = await api.recordFollowUp(item.dossier_id, outcome, note.trim() || null);
      setDone(
        `${item.number} : appel enregistré${r.next_call_at ? `, à rappeler le ${fmt.dateTime(r.next_call_at)}` : ", sorti de la file"}.`,
      );
      setVersion((v) => v + 1);
    } catch (e) {
      setError(toCommandError(e));
    }
  }

  return (
    <main className="screen followup-screen" aria-labelledby="followup-title">
      <h1 id="followup-title">
        <Icon name="mail" /> Appels de suivi
      </h1>
      <AlertRegion error={error} />
      <p className="search-status" role="status" id="followup-status">
        {done}
        {items === null && !error ? "Chargement…" : null}
        {items && !done ? (items.length === 0 ? "Aucun appel à faire." : plural(items.length, "appel à faire", "appels à faire")) : null}
      </p>
      <ul className="followups" id="followup-rows">
        {(items ?? []).map((item) => (
          <FollowUpRow key={`${item.dossier_id}-${item.reason}`} item={item} fmt={fmt} links={links} onRecord={record} />
        ))}
      </ul>
    </main>
  );
}

function FollowUpRow({
  item,
  fmt,
  links,
  onRecord,
}: {
  item: FollowUpItem;
  fmt: Formatter;
  links: SignalLinks;
  onRecord(item: FollowUpItem, outcome: FollowUpOutcome, note: string): Promise<void>;
}) {
  const [note, setNote] = useState("");
  const [on, setOn] = useState("");
  const id = `fu-${item.number}`;
  return (
    <li className="followup" data-dossier-number={item.number}>
      <div className="followup-head">
        <strong>{item.customer_name}</strong> {item.phone ? <span className="followup-phone">{item.phone}</span> : null}
        {item.email ? <span className="muted"> · {item.email}</span> : null} ·{" "}
        <button type="button" className="button link" onClick={() => links.onOpenDossier(item.dossier_id)}>
          {item.number}
        </button>{" "}
        {links.onOpenCustomer ? (
          <button type="button" className="button link" onClick={() => links.onOpenCustomer?.(item.customer_id)}>
            Fiche client
          </button>
        ) : null}
      </div>
      <p>
        <span className="badge">{item.reason_label}</span> {item.why} · dû le {fmt.dateTime(item.due_at)}
        {item.product_name ? <> · {item.product_name}</> : null}
      </p>
      <div className="followup-actions">
        <label htmlFor={`${id}-note`}>Note</label>
        <input id={`${id}-note`} value={note} onChange={(e) => setNote(e.target.value)} placeholder="Ce que le client a dit" />
        <button type="button" className="button primary" data-outcome="reached" onClick={() => void onRecord(item, { outcome: "reached" }, note)}>
          Joint
        </button>
        <button type="button" className="button" data-outcome="no_answer" onClick={() => void onRecord(item, { outcome: "no_answer" }, note)}>
          Pas de réponse
        </button>
        <label htmlFor={`${id}-on`}>Rappeler le</label>
        <input id={`${id}-on`} type="date" value={on} onChange={(e) => setOn(e.target.value)} />
        <button
          type="button"
          className="button"
          data-outcome="call_back"
          disabled={on === ""}
          onClick={() => void onRecord(item, { outcome: "call_back", on }, note)}
        >
          Rappeler à cette date
        </button>
      </div>
    </li>
  );
}

const THRESHOLD_FIELDS: { key: keyof SignalThresholds; label: string; euros?: boolean }[] = [
  { key: "repeat_dossiers", label: "Client récurrent : dossiers" },
  { key: "repeat_days", label: "… en combien de jours" },
  { key: "high_value_cents", label: "Client à forte valeur : achats sur 12 mois (€)", euros: true },
  { key: "low_score_max", label: "Note basse : jusqu'à (sur 5)" },
  { key: "jump_percent", label: "Produit en hausse : % du mois moyen" },
  { key: "jump_min_dossiers", label: "… et au moins (dossiers ce mois)" },
];

/** The manager's thresholds of the weak signals (checked by Rust, audited). */
export function ThresholdsForm({ api }: { api: Api }) {
  const [values, setValues] = useState<Record<string, string> | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [saved, setSaved] = useState(false);
  const show = (t: SignalThresholds) =>
    Object.fromEntries(
      THRESHOLD_FIELDS.map((f) => [f.key, f.euros ? String(Number(t[f.key]) / 100) : String(t[f.key])]),
    );
  useEffect(() => {
    let live = true;
    api.signalThresholds().then(
      (t) => live && setValues(show(t)),
      (e) => live && setError(toCommandError(e)),
    );
    return () => {
      live = false;
    };
  }, [api]);

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!values) return;
    setError(null);
    setSaved(false);
    // Whole numbers as typed; Rust refuses 0, negatives and out-of-range values in French.
    const t = Object.fromEntries(
      THRESHOLD_FIELDS.map((f) => {
        const n = Number((values[f.key] ?? "").replace(",", ".").replace(/\s/g, ""));
        return [f.key, Number.isFinite(n) ? Math.round(f.euros ? n * 100 : n) : Number.NaN];
      }),
    ) as unknown as SignalThresholds;
    try {
      setValues(show(await api.setSignalThresholds(t)));
      setSaved(true);
    } catch (e) {
      setError(toCommandError(e));
    }
  }

  return (
    <form className="thresholds" id="thresholds-form" onSubmit={save} aria-labelledby="thresholds-title">
      <h3 id="thresholds-title">Seuils des signaux faibles</h3>
      {values
        ? THRESHOLD_FIELDS.map((f) => (
            <label key={f.key}>
              {f.label}
              <input
                id={`threshold-${f.key}`}
                inputMode="numeric"
                value={values[f.key] ?? ""}
                onChange={(e) => setValues({ ...values, [f.key]: e.target.value })}
              />
            </label>
          ))
        : null}
      <button type="submit" className="button primary" id="thresholds-save">
        Enregistrer les seuils
      </button>
      <p role="status">{saved ? "Seuils enregistrés." : null}</p>
      <AlertRegion error={error} />
    </form>
  );
}

/** A manager's RGPD actions on a card: export (PDF, JSON) and erasure, confirmed. */
export function RgpdPanel({
  api,
  fmt,
  customerId,
  erasedAt,
  onErased,
}: {
  api: Api;
  fmt: Formatter;
  customerId: string;
  /** Set once the customer is erased: nothing is left to export or erase. */
  erasedAt: string | null;
  onErased(): void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [sure, setSure] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<CommandError | null>(null);

  async function exportAs(format: "pdf" | "json") {
    setError(null);
    setStatus("Choisissez où enregistrer…");
    try {
      const w = await api.exportCustomer(customerId, format);
      setStatus(w ? `Données enregistrées : ${w.path}` : "Export annulé : rien n'a été écrit.");
    } catch (e) {
      setStatus(null);
      setError(toCommandError(e));
    }
  }

  async function erase() {
    setError(null);
    try {
      const r = await api.eraseCustomer(customerId, sure);
      setStatus(
        `Client effacé. Gardés sans identité : ${plural(r.orders_kept, "achat", "achats")}, ${plural(r.dossiers_kept, "dossier", "dossiers")}.`,
      );
      setConfirming(false);
      onErased();
    } catch (e) {
      setError(toCommandError(e));
    }
  }

  return (
    <section className="panel rgpd-panel" aria-labelledby="rgpd-title">
      <h2 id="rgpd-title">
        <Icon name="lock" /> Données personnelles (RGPD)
      </h2>
      {erasedAt ? (
        <p id="rgpd-erased">
          Client effacé à sa demande le {fmt.dateTime(erasedAt)} : il ne reste ni identité à exporter ni donnée à effacer.
          Ses achats et ses dossiers sont gardés sans son identité.
        </p>
      ) : (
      <div className="rgpd-actions">
        <button type="button" className="button" id="export-customer-pdf" onClick={() => void exportAs("pdf")}>
          <Icon name="download" /> Exporter ses données (PDF)
        </button>
        <button type="button" className="button" id="export-customer-json" onClick={() => void exportAs("json")}>
          <Icon name="download" /> Exporter ses données (JSON)
        </button>
        <button type="button" className="button danger" id="erase-customer" onClick={() => setConfirming(true)}>
          Effacer ce client…
        </button>
      </div>
      )}
      {confirming && !erasedAt ? (
        <div className="erase-confirm" role="group" aria-labelledby="erase-title">
          <h3 id="erase-title">Effacer ce client à sa demande</h3>
          <p>
            Son identité, ses coordonnées et les textes libres de ses dossiers seront supprimés partout, y compris de la
            recherche. Ses achats et ses dossiers restent, sans son identité, comme la loi l'impose. Cette action est
            définitive.
          </p>
          <label>
            <input type="checkbox" id="erase-sure" checked={sure} onChange={(e) => setSure(e.target.checked)} /> Je
            confirme : l'effacement ne peut pas être annulé.
          </label>
          <div className="rgpd-actions">
            <button type="button" className="button danger" id="erase-confirm" disabled={!sure} onClick={() => void erase()}>
              Effacer définitivement
            </button>
            <button type="button" className="button" onClick={() => setConfirming(false)}>
              Annuler
            </button>
          </div>
        </div>
      ) : null}
      <p role="status" id="rgpd-status">
        {status}
      </p>
      <AlertRegion error={error} />
    </section>
  );
}
