// The "dossier" moment: what was promised and when, what happened since,
// and what can be done next (the workflow's allowed actions, from Rust).
import { useCallback, useEffect, useState, type FormEvent, type KeyboardEvent } from "react";
import { AlertRegion } from "./AlertRegion";

import type { Api, CommandError } from "../api";
import { toCommandError } from "../api";
import type { DeadlineStatus } from "../bindings/DeadlineStatus";
import type { DossierAction } from "../bindings/DossierAction";
import type { DossierDetail } from "../bindings/DossierDetail";
import type { DossierView } from "../bindings/DossierView";
import type { PaperFormat } from "../bindings/PaperFormat";
import type { PrintedTicket } from "../bindings/PrintedTicket";
import type { TemplateView } from "../bindings/TemplateView";
import type { TicketChoice } from "../bindings/TicketChoice";
import { GESTURE_NOT_AN_AMOUNT, isSubmitShortcut, parseEuros, splitParts } from "../dossierForm";
import { centsToEurosText, formatCents, type Formatter } from "../format";
import { DecisionSection } from "./DecisionSection";
import { Icon, type IconName } from "./Icon";

interface Props {
  api: Api;
  dossierId: string;
  fmt: Formatter;
  onOpenCustomer(customerId: string): void;
  /** Bumped when a sync brought changes: the dossier is read again. */
  version?: number;
}

export function deadlineIcon(status: DeadlineStatus): IconName {
  switch (status) {
    case "on_time":
      return "done";
    case "at_risk":
      return "open";
    case "late":
      return "alert";
  }
}

export function DeadlineBadge({ status, label }: { status: DeadlineStatus | null; label: string | null }) {
  if (!status || !label) return null;
  return (
    <span className={`badge deadline deadline-${status}`}>
      <Icon name={deadlineIcon(status)} /> {label}
    </span>
  );
}

export function StatusBadge({ dossier }: { dossier: Pick<DossierView, "is_open" | "status_label" | "status"> }) {
  return (
    <span
      className={`status ${dossier.is_open ? "status-open" : "status-closed"}`}
      data-status={dossier.status}
    >
      <Icon name={dossier.is_open ? "open" : "done"} /> {dossier.status_label}
    </span>
  );
}

type Load = { detail: DossierDetail | null; error: CommandError | null };

export function DossierScreen({ api, dossierId, fmt, onOpenCustomer, version }: Props) {
  const [load, setLoad] = useState<Load>({ detail: null, error: null });
  const [error, setError] = useState<CommandError | null>(null);
  const [busy, setBusy] = useState(false);
  const [closingMessage, setClosingMessage] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setLoad({ detail: null, error: null });
    api.dossierDetail(dossierId).then(
      (detail) => live && setLoad({ detail, error: null }),
      (e) => live && setLoad({ detail: null, error: toCommandError(e) }),
    );
    return () => {
      live = false;
    };
  }, [api, dossierId]);

  // What another counter did arrives with the sync: read again, in place.
  useEffect(() => {
    if (!version) return;
    let live = true;
    api.dossierDetail(dossierId).then(
      (detail) => live && setLoad({ detail, error: null }),
      (e) => console.warn("dossier refresh failed", toCommandError(e)),
    );
    return () => {
      live = false;
    };
  }, [api, dossierId, version]);

  /** Runs a write; the answer is the dossier as it now is. Errors keep the forms as typed. */
  const write = useCallback(async (run: () => Promise<DossierDetail>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      const detail = await run();
      setLoad({ detail, error: null });
      return true;
    } catch (e) {
      setError(toCommandError(e));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);

  if (load.error) {
    return (
      <main className="screen dossier-screen">
        <AlertRegion error={load.error} />
      </main>
    );
  }
  const detail = load.detail;
  if (!detail) {
    return (
      <main className="screen dossier-screen">
        <p className="loading" aria-busy="true">
          Chargement du dossier…
        </p>
      </main>
    );
  }
  const { dossier: d, customer, order } = detail;
  const canClose = d.allowed_actions.some((a) => a.action === "close");
  const steps = d.allowed_actions.filter((a) => a.action !== "close");

  return (
    <main
      className="screen dossier-screen"
      aria-labelledby="dossier-number"
      data-dossier-id={d.id}
      data-dossier-number={d.number}
    >
      <header className="dossier-head panel">
        <div className="dossier-title">
          <h1 id="dossier-number" className="number">
            {d.number}
          </h1>
          <span id="dossier-status">
            <StatusBadge dossier={d} />
          </span>
          <button type="button" className="button link" onClick={() => onOpenCustomer(customer.id)}>
            {customer.display_name} <span className="muted">· fiche client</span>
          </button>
        </div>
        {d.promised_at ? (
          <p id="deadline" className="deadline-line">
            <Icon name="open" /> Promis pour le <strong>{fmt.dateTime(d.promised_at)}</strong>
            {d.promise_label ? <span className="muted"> ({d.promise_label})</span> : null}{" "}
            <DeadlineBadge status={d.deadline_status} label={d.deadline_label} />
          </p>
        ) : null}
        {d.legal_cap_at ? (
          <p className="legal-cap">
            Garantie légale : au plus tard le {fmt.dateTime(d.legal_cap_at)}
          </p>
        ) : null}
      </header>

      <AlertRegion error={error} />

      {closingMessage ? (
        <section className="panel closing-message" aria-labelledby="closing-title">
          <h2 id="closing-title">
            <Icon name="mail" /> Message de clôture envoyé
          </h2>
          <p className="pre">{closingMessage}</p>
        </section>
      ) : null}

      <div className="dossier-grid">
        <div className="dossier-main">
          <section className="panel facts" aria-label="Le dossier">
            <dl>
              <dt>Produit</dt>
              <dd>
                {d.product_name ?? "Produit non précisé"}
                {d.without_purchase_record ? (
                  <span className="tag tag-warn">
                    <Icon name="alert" /> sans preuve d'achat
                  </span>
                ) : null}
              </dd>
              {order ? (
                <>
                  <dt>Achat</dt>
                  <dd>
                    Commande <span className="number">{order.number}</span> du{" "}
                    {fmt.date(order.ordered_at)} · {order.where_label}
                  </dd>
                </>
              ) : null}
              <dt>Motif</dt>
              <dd>{d.reason_label}</dd>
              <dt>Le client dit</dt>
              <dd>{d.customer_words ? <blockquote>« {d.customer_words} »</blockquote> : "—"}</dd>
              <dt>État</dt>
              <dd>
                {d.condition_label ?? "—"}
                {d.condition_note ? <span className="muted"> · {d.condition_note}</span> : null}
              </dd>
              <dt>Accessoires</dt>
              <dd>{d.accessories.length > 0 ? d.accessories.join(", ") : "Aucun"}</dd>
              <dt>N° de série</dt>
              <dd className="mono">{d.serial_number ?? "—"}</dd>
              <dt>Ouvert</dt>
              <dd>
                le {fmt.dateTime(d.opened_at)}
                {d.opened_by ? ` par ${d.opened_by}` : null} · {d.origin_label}
                {d.store ? ` · ${d.store.name}` : null}
              </dd>
              <dt>Suivi par</dt>
              <dd>{d.assignee ?? <span className="muted">personne</span>}</dd>
              {d.resolution ? (
                <>
                  <dt>Résolution</dt>
                  <dd>
                    {d.resolution.summary}
                    {d.resolution.parts.length > 0 ? ` · pièces : ${d.resolution.parts.join(", ")}` : null}
                    {` · coût ${formatCents(d.resolution.cost)}`}
                    {d.resolution.gesture
                      ? ` · geste : ${d.resolution.gesture.description} (${formatCents(d.resolution.gesture.amount)})`
                      : null}
                  </dd>
                </>
              ) : null}
              {d.follow_up_due ? (
                <>
                  <dt>À rappeler</dt>
                  <dd>le {fmt.date(d.follow_up_due)}</dd>
                </>
              ) : null}
              {d.csat_score !== null ? (
                <>
                  <dt>Satisfaction</dt>
                  <dd>
                    {d.csat_score}/5{d.csat_comment ? ` — ${d.csat_comment}` : null}
                  </dd>
                </>
              ) : null}
            </dl>
          </section>

          <DecisionSection
            api={api}
            dossier={d}
            fmt={fmt}
            onDecided={(next) => {
              setError(null);
              setLoad({ detail: next, error: null });
            }}
          />

          <section className="panel" aria-labelledby="timeline-title">
            <h2 id="timeline-title">Historique</h2>
            <ol className="timeline" aria-label={`Historique du dossier ${d.number}`}>
              {d.events.map((e) => (
                <li key={e.id} data-kind={e.kind} data-conflict={e.conflict ? "true" : undefined}>
                  <time dateTime={e.at}>{fmt.dateTime(e.at)}</time>
                  <span className="actor">{e.actor}</span>
                  <span className="summary">{e.summary}</span>
                  {e.note ? <span className="note pre">{e.note}</span> : null}
                  {e.conflict ? (
                    <span className="conflict" role="note">
                      ⚠ Conflit : {e.conflict}
                    </span>
                  ) : null}
                </li>
              ))}
            </ol>
          </section>
        </div>

        <div className="dossier-side">
          <PrintPanel api={api} dossier={d} />
          {steps.length > 0 ? (
            <ActionsPanel
              steps={steps}
              busy={busy}
              onAct={(action, note) => write(() => api.dossierAction(d.id, action, note))}
            />
          ) : null}
          {canClose ? (
            <ClosurePanel
              api={api}
              busy={busy}
              decidedGesture={d.decision?.gesture ?? null}
              onClose={async (resolution) => {
                setBusy(true);
                setError(null);
                try {
                  const closed = await api.closeDossier(d.id, resolution);
                  setLoad({ detail: closed.detail, error: null });
                  setClosingMessage(closed.message);
                  return true;
                } catch (e) {
                  setError(toCommandError(e));
                  return false;
                } finally {
                  setBusy(false);
                }
              }}
            />
          ) : null}
          {d.can_record_satisfaction ? (
            <SatisfactionPanel
              busy={busy}
              onRecord={(score, comment) => write(() => api.recordSatisfaction(d.id, score, comment))}
            />
          ) : null}
          <NotePanel busy={busy} onAdd={(note) => write(() => api.addNote(d.id, note))} />
          {d.can_assign ? (
            <AssignPanel
              current={d.assignee}
              busy={busy}
              onAssign={(who) => write(() => api.assignDossier(d.id, who))}
            />
          ) : null}
        </div>
      </div>
    </main>
  );
}

function submitOnCtrlEnter(run: () => void) {
  return (event: KeyboardEvent) => {
    if (isSubmitShortcut(event)) {
      event.preventDefault();
      run();
    }
  };
}

function PrintPanel({ api, dossier }: { api: Api; dossier: DossierView }) {
  const [kind, setKind] = useState<TicketChoice>(dossier.is_open ? "intake" : "restitution");
  const [printing, setPrinting] = useState(false);
  const [result, setResult] = useState<PrintedTicket | null>(null);
  const [error, setError] = useState<CommandError | null>(null);

  async function print(format: PaperFormat) {
    setPrinting(true);
    setResult(null);
    setError(null);
    try {
      setResult(await api.printDossier(dossier.id, kind, format));
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setPrinting(false);
    }
  }

  return (
    <section className="panel print-panel" aria-labelledby="print-title">
      <h2 id="print-title">
        <Icon name="print" /> Imprimer
      </h2>
      <fieldset className="choice">
        <legend className="visually-hidden">Document</legend>
        <label>
          <input
            type="radio"
            name="ticket-kind"
            value="intake"
            checked={kind === "intake"}
            onChange={() => setKind("intake")}
          />{" "}
          Bon de prise en charge
        </label>
        <label>
          <input
            type="radio"
            name="ticket-kind"
            value="restitution"
            checked={kind === "restitution"}
            onChange={() => setKind("restitution")}
          />{" "}
          Bon de restitution
        </label>
      </fieldset>
      <div className="inline">
        <button type="button" id="print-a4" className="button" disabled={printing} onClick={() => void print("a4")}>
          A4
        </button>
        <button
          type="button"
          id="print-receipt"
          className="button"
          disabled={printing}
          onClick={() => void print("receipt")}
        >
          Ticket de caisse 80 mm
        </button>
      </div>
      <div id="print-result" className="print-result" role="status" aria-live="polite">
        {printing ? <p aria-busy="true">Impression en cours…</p> : null}
        {result ? (
          <>
            <p>
              <Icon name="done" /> PDF enregistré : <span className="mono path">{result.pdf_path}</span>
            </p>
            <p>
              {result.printed_on ? (
                <>
                  <Icon name="print" /> Envoyé à l'imprimante « {result.printed_on} »
                  {result.job_id ? ` (travail ${result.job_id})` : null}
                </>
              ) : (
                <span className="muted">Aucune imprimante choisie : PDF seulement.</span>
              )}
            </p>
          </>
        ) : null}
      </div>
      <AlertRegion error={error} />
    </section>
  );
}

function ActionsPanel({
  steps,
  busy,
  onAct,
}: {
  steps: DossierView["allowed_actions"];
  busy: boolean;
  onAct(action: DossierAction, note: string | null): Promise<boolean>;
}) {
  const [note, setNote] = useState("");
  return (
    <section className="panel" aria-labelledby="actions-title">
      <h2 id="actions-title">Étape suivante</h2>
      <label htmlFor="action-note" className="field-label">
        Note jointe (facultatif)
      </label>
      <input id="action-note" type="text" value={note} onChange={(e) => setNote(e.target.value)} />
      <div className="actions">
        {steps.map((a) => (
          <button
            key={a.action}
            type="button"
            className={`button${a.action === "cancel" ? " danger" : ""}`}
            data-action={a.action}
            disabled={busy}
            onClick={async () => {
              if (await onAct(a.action, note.trim() || null)) setNote("");
            }}
          >
            {a.label}
          </button>
        ))}
      </div>
    </section>
  );
}

function NotePanel({ busy, onAdd }: { busy: boolean; onAdd(note: string): Promise<boolean> }) {
  const [note, setNote] = useState("");
  const add = async () => {
    if (note.trim() === "" || busy) return;
    if (await onAdd(note)) setNote("");
  };
  return (
    <section className="panel" aria-labelledby="note-title">
      <h2 id="note-title">Ajouter une note</h2>
      <textarea
        id="note"
        aria-labelledby="note-title"
        rows={2}
        value={note}
        onChange={(e) => setNote(e.target.value)}
        onKeyDown={submitOnCtrlEnter(() => void add())}
      />
      <button type="button" className="button" disabled={busy || note.trim() === ""} onClick={() => void add()}>
        Ajouter la note <kbd>Ctrl</kbd>+<kbd>Entrée</kbd>
      </button>
    </section>
  );
}

function AssignPanel({
  current,
  busy,
  onAssign,
}: {
  current: string | null;
  busy: boolean;
  onAssign(who: string | null): Promise<boolean>;
}) {
  const [who, setWho] = useState(current ?? "");
  return (
    <section className="panel" aria-labelledby="assign-title">
      <h2 id="assign-title">Attribuer</h2>
      <div className="inline">
        <input
          id="assign"
          type="text"
          aria-labelledby="assign-title"
          value={who}
          placeholder="Nom du conseiller"
          onChange={(e) => setWho(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              void onAssign(who.trim() || null);
            }
          }}
        />
        <button type="button" className="button" disabled={busy} onClick={() => void onAssign(who.trim() || null)}>
          {who.trim() ? "Attribuer" : "Retirer"}
        </button>
      </div>
    </section>
  );
}

function ClosurePanel({
  api,
  busy,
  decidedGesture,
  onClose,
}: {
  api: Api;
  busy: boolean;
  /** The gesture the decision granted (cents): closure records it, never more. */
  decidedGesture: number | null;
  onClose(resolution: import("../bindings/Resolution").Resolution): Promise<boolean>;
}) {
  const [templates, setTemplates] = useState<TemplateView[]>([]);
  const [template, setTemplate] = useState("");
  const [summary, setSummary] = useState("");
  const [parts, setParts] = useState("");
  const [cost, setCost] = useState("0");
  const [withGesture, setWithGesture] = useState(decidedGesture !== null && decidedGesture > 0);
  const [gesture, setGesture] = useState("");
  const [gestureAmount, setGestureAmount] = useState(decidedGesture ? centsToEurosText(decidedGesture) : "");
  const [problem, setProblem] = useState<string | null>(null);

  // A new decision (taken while this form is open) brings its gesture.
  const [prefilled, setPrefilled] = useState(decidedGesture);
  if (prefilled !== decidedGesture) {
    setPrefilled(decidedGesture);
    setWithGesture(decidedGesture !== null && decidedGesture > 0);
    setGestureAmount(decidedGesture ? centsToEurosText(decidedGesture) : "");
  }

  useEffect(() => {
    let live = true;
    api.messageTemplates().then(
      (t) => {
        if (!live) return;
        setTemplates(t);
        setTemplate((c) => c || (t[0]?.code ?? ""));
      },
      (e) => live && setProblem(toCommandError(e).message),
    );
    return () => {
      live = false;
    };
  }, [api]);

  const chosen = templates.find((t) => t.code === template);

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    if (busy) return;
    const costCents = parseEuros(cost);
    if (costCents === null) {
      setProblem("Coût : saisissez un montant en euros, par exemple 12,50.");
      return;
    }
    const amount = withGesture ? parseEuros(gestureAmount) : 0;
    if (amount === null) {
      setProblem(GESTURE_NOT_AN_AMOUNT);
      return;
    }
    setProblem(null);
    await onClose({
      summary,
      parts: splitParts(parts),
      cost: costCents,
      gesture: withGesture ? { description: gesture, amount } : null,
      template,
    });
  }

  return (
    <section className="panel closure" aria-labelledby="closure-title">
      <h2 id="closure-title">Clôturer le dossier</h2>
      <form onSubmit={(e) => void submit(e)} onKeyDown={submitOnCtrlEnter(() => void submit())} noValidate>
        <label htmlFor="close-summary" className="field-label">
          Ce qui a été fait *
        </label>
        <textarea id="close-summary" rows={2} value={summary} onChange={(e) => setSummary(e.target.value)} />
        <label htmlFor="close-parts" className="field-label">
          Pièces (une par ligne)
        </label>
        <textarea id="close-parts" rows={2} value={parts} onChange={(e) => setParts(e.target.value)} />
        <label htmlFor="close-cost" className="field-label">
          Coût pour l'enseigne (€)
        </label>
        <input
          id="close-cost"
          type="text"
          inputMode="decimal"
          value={cost}
          onChange={(e) => setCost(e.target.value)}
        />
        <label className="check">
          <input
            id="close-with-gesture"
            type="checkbox"
            checked={withGesture}
            onChange={(e) => setWithGesture(e.target.checked)}
          />{" "}
          Geste commercial
        </label>
        {withGesture ? (
          <div className="field-row">
            <div className="field grow">
              <label htmlFor="close-gesture" className="field-label">
                Nature du geste
              </label>
              <input
                id="close-gesture"
                type="text"
                value={gesture}
                onChange={(e) => setGesture(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="close-gesture-amount" className="field-label">
                Montant (€)
              </label>
              <input
                id="close-gesture-amount"
                type="text"
                inputMode="decimal"
                value={gestureAmount}
                onChange={(e) => setGestureAmount(e.target.value)}
                aria-describedby={decidedGesture ? "close-gesture-help" : undefined}
              />
            </div>
            {decidedGesture ? (
              <p id="close-gesture-help" className="field-help">
                Geste décidé : {formatCents(decidedGesture)}
              </p>
            ) : null}
          </div>
        ) : null}
        <label htmlFor="close-template" className="field-label">
          Message au client
        </label>
        <select id="close-template" value={template} onChange={(e) => setTemplate(e.target.value)}>
          {templates.map((t) => (
            <option key={t.code} value={t.code}>
              {t.title}
            </option>
          ))}
        </select>
        {chosen ? <p className="template-body pre">{chosen.body}</p> : null}
        {problem ? (
          <p className="field-error" role="alert">
            <Icon name="alert" /> {problem}
          </p>
        ) : null}
        <button type="submit" className="button primary" disabled={busy}>
          <Icon name="done" /> Clôturer <kbd>Ctrl</kbd>+<kbd>Entrée</kbd>
        </button>
      </form>
    </section>
  );
}

function SatisfactionPanel({
  busy,
  onRecord,
}: {
  busy: boolean;
  onRecord(score: number, comment: string | null): Promise<boolean>;
}) {
  const [comment, setComment] = useState("");
  return (
    <section className="panel" aria-labelledby="csat-title">
      <h2 id="csat-title">Satisfaction</h2>
      <p className="muted">Note donnée par le client, de 1 (pas du tout satisfait) à 5 (très satisfait).</p>
      <label htmlFor="csat-comment" className="field-label">
        Commentaire (facultatif)
      </label>
      <input id="csat-comment" type="text" value={comment} onChange={(e) => setComment(e.target.value)} />
      <div className="actions csat" role="group" aria-label="Note de satisfaction">
        {[1, 2, 3, 4, 5].map((n) => (
          <button
            key={n}
            type="button"
            className="button"
            disabled={busy}
            onClick={() => void onRecord(n, comment.trim() || null)}
          >
            {n}
          </button>
        ))}
      </div>
    </section>
  );
}
