// The "intake" moment: the purchased line, why the customer is here (in
// their words), what they leave at the counter, and what the return policy
// allows for it (chosen now or later). Ctrl+Enter records it.
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";

import type { Api, CommandError } from "../api";
import { toCommandError } from "../api";
import type { CustomerView } from "../bindings/CustomerView";
import type { DecisionChoice } from "../bindings/DecisionChoice";
import type { DossierDetail } from "../bindings/DossierDetail";
import type { IntakeForm } from "../bindings/IntakeForm";
import type { ItemCondition } from "../bindings/ItemCondition";
import type { OrderLineView } from "../bindings/OrderLineView";
import type { OrderView } from "../bindings/OrderView";
import type { Severity } from "../bindings/Severity";
import { addAccessory, charCount, GESTURE_NOT_AN_AMOUNT, isSubmitShortcut, readGesture } from "../dossierForm";
import type { Formatter } from "../format";
import { useApproval } from "./ApprovalDialog";
import { Icon, channelIcon } from "./Icon";
import { POLICY_LOADING, PolicyOptions, pickStillAllowed, type PolicyPick, type PolicyState } from "./PolicyOptions";

export interface Purchase {
  order: OrderView;
  line: OrderLineView;
}

interface Props {
  api: Api;
  customer: CustomerView;
  /** The purchased line; null for a dossier without a purchase record. */
  purchase: Purchase | null;
  fmt: Formatter;
  onOpened(detail: DossierDetail): void;
}

/** Errors that belong next to one field rather than at the top. */
const SERIAL_CODES = new Set(["serial_mismatch"]);
const GESTURE_CODES = new Set(["gesture_above_scale", "no_gesture_on_scale"]);

/** The policy panel waits for the clerk to stop changing the case before asking Rust. */
export const POLICY_DEBOUNCE_MS = 200;

export function IntakeScreen({ api, customer, purchase, fmt, onOpened }: Props) {
  const [form, setForm] = useState<IntakeForm | null>(null);
  const [loadError, setLoadError] = useState<CommandError | null>(null);
  const [reason, setReason] = useState("");
  const [words, setWords] = useState("");
  const [declared, setDeclared] = useState("");
  const [condition, setCondition] = useState<ItemCondition>("good");
  const [conditionNote, setConditionNote] = useState("");
  const [decisionNote, setDecisionNote] = useState("");
  const [accessories, setAccessories] = useState<string[]>([]);
  const [accessory, setAccessory] = useState("");
  const [serial, setSerial] = useState("");
  const [assignee, setAssignee] = useState("");
  const [sealed, setSealed] = useState(false);
  const [severity, setSeverity] = useState<Severity>("major");
  /** When the customer noticed the defect ("" if not said): yyyy-mm-dd. */
  const [noticed, setNoticed] = useState("");
  const [policy, setPolicy] = useState<PolicyState>(POLICY_LOADING);
  const [policyName, setPolicyName] = useState<string | null>(null);
  const [pick, setPick] = useState<PolicyPick>("");
  const [gesture, setGesture] = useState("");
  const [gestureError, setGestureError] = useState<string | null>(null);
  const approval = useApproval(api);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const firstField = useRef<HTMLSelectElement | null>(null);

  useEffect(() => {
    let live = true;
    api.intakeForm().then(
      (f) => {
        if (!live) return;
        setForm(f);
        setReason((r) => r || (f.reasons[0]?.code ?? ""));
      },
      (e) => live && setLoadError(toCommandError(e)),
    );
    return () => {
      live = false;
    };
  }, [api]);

  useEffect(() => {
    if (form) firstField.current?.focus();
  }, [form]);

  // The policy in force, named in the panel even when it has no options for this case.
  useEffect(() => {
    let live = true;
    api.currentPolicy().then(
      (p) => live && setPolicyName(`Politique ${p.id} ${p.version}`),
      () => undefined, // the panel says it from the ruling when there is one
    );
    return () => {
      live = false;
    };
  }, [api]);

  const lineId = purchase ? purchase.line.id : null;

  // The options follow the case: asked again once the clerk stops changing it;
  // an answer to an older case is dropped.
  useEffect(() => {
    if (!form || reason === "") return;
    let live = true;
    setPolicy((p) => ({ ...p, loading: true }));
    const timer = setTimeout(() => {
      api
        .policyPreview({
          customer_id: customer.id,
          order_line_id: lineId,
          reason_code: reason,
          condition,
          sealed,
          severity,
          defect_noticed_on: noticed || null,
        })
        .then(
          (preview) => {
            if (!live) return;
            setPolicy({ preview, error: null, loading: false });
            setPick((current) => (pickStillAllowed(preview, current) ? current : ""));
          },
          (e) => {
            if (!live) return;
            setPolicy({ preview: null, error: toCommandError(e), loading: false });
            setPick("");
          },
        );
    }, POLICY_DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, form, customer.id, lineId, reason, condition, sealed, severity, noticed]);

  const max = form?.max_text_chars ?? 2000;
  const count = charCount(words, max);
  const chosen = form?.reasons.find((r) => r.code === reason);
  const serialError = error && SERIAL_CODES.has(error.code) ? error : null;
  const generalError = error && !serialError ? error : null;

  /** The option chosen in the policy panel, or null ("Décider plus tard"); "invalid" if the gesture is not an amount. */
  function readDecision(): DecisionChoice | null | "invalid" {
    if (pick === "") return null;
    const cents = readGesture(gesture, Boolean(policy.preview?.decision?.gesture));
    if (cents === "invalid") return "invalid";
    return { resolution: pick, gesture: cents, note: decisionNote.trim() || null };
  }

  async function submit() {
    if (busy || !form) return;
    const decision = readDecision();
    if (decision === "invalid") {
      setGestureError(GESTURE_NOT_AN_AMOUNT);
      return;
    }
    setGestureError(null);
    setBusy(true);
    setError(null);
    const input = {
      customer_id: customer.id,
      order_line_id: lineId,
      declared_product: purchase ? null : declared.trim() || null,
      reason_code: reason,
      customer_words: words,
      condition,
      condition_note: conditionNote.trim() || null,
      accessories,
      serial_number: serial.trim() || null,
      actor: "", // the signed-in user, filled in by Rust from the session
      assignee: assignee.trim() || null,
      sealed,
      severity,
      defect_noticed_on: noticed || null,
      decision,
    };
    // Sent as is; sent again with a manager's approval if Rust asks for one.
    const outcome = await approval.run(
      (manager) => api.openDossier({ ...input, approval: manager }),
      () => setBusy(false),
    );
    switch (outcome.status) {
      case "done":
        onOpened(outcome.value);
        return;
      case "failed":
        // Next to the gesture field when there is one on screen.
        if (GESTURE_CODES.has(outcome.error.code) && policy.preview?.decision?.gesture) {
          setGestureError(outcome.error.message);
        } else {
          setError(outcome.error);
        }
        break;
      case "cancelled":
        break;
    }
    setBusy(false);
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    void submit();
  }

  function onKeyDown(event: KeyboardEvent<HTMLFormElement>) {
    if (isSubmitShortcut(event)) {
      event.preventDefault();
      void submit();
    }
  }

  function addTyped() {
    setAccessories((list) => addAccessory(list, accessory, form?.max_accessories ?? 20));
    setAccessory("");
  }

  return (
    <main className="screen intake-screen" aria-labelledby="intake-title">
      <h1 id="intake-title">Nouveau dossier SAV · {customer.display_name}</h1>

      <section className="panel purchased" aria-label="Produit concerné">
        {purchase ? (
          <>
            <p className="purchased-product">{purchase.line.product.name}</p>
            <p className="muted">
              {purchase.line.product.brand} · réf. {purchase.line.product.sku}
              {purchase.line.serial_numbers.length > 0 ? (
                <>
                  {" "}
                  · N° de série vendu :{" "}
                  <span className="mono">{purchase.line.serial_numbers.join(", ")}</span>
                </>
              ) : null}
            </p>
            <p>
              <span className={`channel channel-${purchase.order.channel}`}>
                <Icon name={channelIcon(purchase.order.channel)} /> {purchase.order.channel_label}
              </span>{" "}
              Commande <span className="number">{purchase.order.number}</span> du{" "}
              {fmt.date(purchase.order.ordered_at)} · {purchase.order.where_label}
              {purchase.order.delivered_at
                ? ` · livrée le ${fmt.date(purchase.order.delivered_at)}`
                : null}
            </p>
          </>
        ) : (
          <p className="tag-warn-line">
            <Icon name="alert" /> Dossier sans preuve d'achat : décrivez le produit ci-dessous.
          </p>
        )}
      </section>

      <div className="alert-region" role="alert">
        {loadError ? (
          <p className="alert">
            <Icon name="alert" /> {loadError.message}
          </p>
        ) : null}
        {generalError ? (
          <p className="alert">
            <Icon name="alert" /> {generalError.message}
          </p>
        ) : null}
      </div>

      <form className="intake-form" onSubmit={onSubmit} onKeyDown={onKeyDown} noValidate>
        <div className="intake-cols">
          <div className="intake-col">
            {purchase ? null : (
              <div className="field">
                <label htmlFor="declared">Produit (marque, modèle) *</label>
                <input
                  id="declared"
                  type="text"
                  value={declared}
                  onChange={(e) => setDeclared(e.target.value)}
                  required
                />
              </div>
            )}

            <div className="field">
              <label htmlFor="reason">Motif *</label>
              <select
                id="reason"
                ref={firstField}
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                disabled={!form}
              >
                {form?.reasons.map((r) => (
                  <option key={r.code} value={r.code}>
                    {r.label} — {r.promise_label}
                  </option>
                ))}
              </select>
              {chosen ? (
                <p className="field-help">
                  Délai promis : <strong>{chosen.promise_label}</strong>
                  {chosen.conformity ? " · relève de la garantie légale de conformité" : null}
                </p>
              ) : null}
            </div>

            <div className="field">
              <label htmlFor="words">Les mots du client *</label>
              <textarea
                id="words"
                rows={4}
                value={words}
                onChange={(e) => setWords(e.target.value)}
                aria-describedby="words-count"
                required
              />
              <p id="words-count" className={`field-help count${count.over ? " over" : ""}`}>
                {count.label} caractères{count.over ? " — trop long" : ""}
              </p>
            </div>

            <div className="field">
              <label htmlFor="severity">Gêne pour le client</label>
              <select
                id="severity"
                value={severity}
                onChange={(e) => setSeverity(e.target.value as Severity)}
                disabled={!form}
              >
                {form?.severities.map((s) => (
                  <option key={s.code} value={s.code}>
                    {s.label}
                  </option>
                ))}
              </select>
              <label className="check" htmlFor="sealed">
                <input id="sealed" type="checkbox" checked={sealed} onChange={(e) => setSealed(e.target.checked)} />{" "}
                Emballage d'origine jamais ouvert
              </label>
            </div>

            <div className="field">
              <label htmlFor="defect-noticed">Défaut constaté le</label>
              <input
                id="defect-noticed"
                type="date"
                value={noticed}
                onChange={(e) => setNoticed(e.target.value)}
                aria-describedby="defect-noticed-help"
              />
              <p id="defect-noticed-help" className="field-help">
                Quand le client a remarqué le défaut (vices cachés, présomption) ; vide : aujourd'hui.
              </p>
            </div>
          </div>

          <div className="intake-col">
            <div className="field-row pair">
              <div className="field">
                <label htmlFor="condition">État du produit *</label>
                <select
                  id="condition"
                  value={condition}
                  onChange={(e) => setCondition(e.target.value as ItemCondition)}
                  disabled={!form}
                >
                  {form?.conditions.map((c) => (
                    <option key={c.code} value={c.code}>
                      {c.label}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="condition-note">Précisions sur l'état</label>
                <input
                  id="condition-note"
                  type="text"
                  value={conditionNote}
                  onChange={(e) => setConditionNote(e.target.value)}
                />
              </div>
            </div>

            <div className="field">
              <label htmlFor="accessory">Accessoires laissés au comptoir</label>
              <div className="inline">
                <input
                  id="accessory"
                  type="text"
                  value={accessory}
                  placeholder="Chargeur, câble, boîte…"
                  onChange={(e) => setAccessory(e.target.value)}
                  onKeyDown={(e) => {
                    if (e.key === "Enter" && !isSubmitShortcut(e)) {
                      e.preventDefault();
                      addTyped();
                    }
                  }}
                />
                <button type="button" className="button" onClick={addTyped}>
                  Ajouter
                </button>
              </div>
              <ul className="chips" aria-label="Accessoires laissés">
                {accessories.map((a) => (
                  <li key={a}>
                    {a}
                    <button
                      type="button"
                      className="chip-remove"
                      aria-label={`Retirer ${a}`}
                      onClick={() => setAccessories((list) => list.filter((x) => x !== a))}
                    >
                      <Icon name="no" />
                    </button>
                  </li>
                ))}
                {accessories.length === 0 ? <li className="muted none">Aucun accessoire</li> : null}
              </ul>
            </div>

            <div className="field">
              <label htmlFor="serial">N° de série lu sur le produit</label>
              <input
                id="serial"
                type="text"
                className="mono"
                value={serial}
                autoComplete="off"
                spellCheck={false}
                onChange={(e) => setSerial(e.target.value)}
                aria-invalid={serialError ? true : undefined}
                aria-describedby={serialError ? "serial-error" : undefined}
              />
              {serialError ? (
                <p id="serial-error" className="field-error" role="alert">
                  <Icon name="alert" /> {serialError.message}
                </p>
              ) : null}
            </div>

            <div className="field">
              <label htmlFor="assignee">Attribuer à (facultatif)</label>
              <input id="assignee" type="text" value={assignee} onChange={(e) => setAssignee(e.target.value)} />
            </div>
          </div>

          <div className="intake-col policy-col">
            <PolicyOptions
              state={policy}
              fallbackPolicy={policyName}
              pick={pick}
              onPick={(p) => {
                setPick(p);
                setGestureError(null);
              }}
              allowLater
              gesture={gesture}
              onGesture={(text) => {
                setGesture(text);
                setGestureError(null);
              }}
              gestureError={gestureError}
              note={decisionNote}
              onNote={setDecisionNote}
            />
          </div>
        </div>

        <div className="form-actions">
          <button type="submit" className="button primary" disabled={busy || !form}>
            <Icon name="done" /> {busy ? "Enregistrement…" : "Ouvrir le dossier"}{" "}
            <kbd>Ctrl</kbd>+<kbd>Entrée</kbd>
          </button>
          <span className="muted">* obligatoire · <kbd>Échap</kbd> revient à la fiche</span>
        </div>
      </form>
      {approval.dialog}
    </main>
  );
}
