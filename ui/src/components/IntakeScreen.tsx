// The "intake" moment: the purchased line, why the customer is here (in
// their words), what they leave at the counter. Ctrl+Enter records it.
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";

import type { Api, CommandError } from "../api";
import { toCommandError } from "../api";
import type { CustomerView } from "../bindings/CustomerView";
import type { DossierDetail } from "../bindings/DossierDetail";
import type { IntakeForm } from "../bindings/IntakeForm";
import type { ItemCondition } from "../bindings/ItemCondition";
import type { OrderLineView } from "../bindings/OrderLineView";
import type { OrderView } from "../bindings/OrderView";
import { addAccessory, charCount, isSubmitShortcut } from "../dossierForm";
import type { Formatter } from "../format";
import { Icon, channelIcon } from "./Icon";

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

export function IntakeScreen({ api, customer, purchase, fmt, onOpened }: Props) {
  const [form, setForm] = useState<IntakeForm | null>(null);
  const [loadError, setLoadError] = useState<CommandError | null>(null);
  const [reason, setReason] = useState("");
  const [words, setWords] = useState("");
  const [declared, setDeclared] = useState("");
  const [condition, setCondition] = useState<ItemCondition>("good");
  const [conditionNote, setConditionNote] = useState("");
  const [accessories, setAccessories] = useState<string[]>([]);
  const [accessory, setAccessory] = useState("");
  const [serial, setSerial] = useState("");
  const [assignee, setAssignee] = useState("");
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

  const max = form?.max_text_chars ?? 2000;
  const count = charCount(words, max);
  const chosen = form?.reasons.find((r) => r.code === reason);
  const serialError = error && SERIAL_CODES.has(error.code) ? error : null;
  const generalError = error && !serialError ? error : null;

  async function submit() {
    if (busy || !form) return;
    setBusy(true);
    setError(null);
    try {
      const detail = await api.openDossier({
        customer_id: customer.id,
        order_line_id: purchase ? purchase.line.id : null,
        declared_product: purchase ? null : declared.trim() || null,
        reason_code: reason,
        customer_words: words,
        condition,
        condition_note: conditionNote.trim() || null,
        accessories,
        serial_number: serial.trim() || null,
        actor: "", // the clerk setting, filled in by the app
        assignee: assignee.trim() || null,
      });
      onOpened(detail);
    } catch (e) {
      setError(toCommandError(e));
      setBusy(false);
    }
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
                rows={7}
                value={words}
                onChange={(e) => setWords(e.target.value)}
                aria-describedby="words-count"
                required
              />
              <p id="words-count" className={`field-help count${count.over ? " over" : ""}`}>
                {count.label} caractères{count.over ? " — trop long" : ""}
              </p>
            </div>
          </div>

          <div className="intake-col">
            <div className="field-row">
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
              <div className="field grow">
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

            <div className="field-row">
              <div className="field grow">
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
              <div className="field grow">
                <label htmlFor="assignee">Attribuer à (facultatif)</label>
                <input
                  id="assignee"
                  type="text"
                  value={assignee}
                  onChange={(e) => setAssignee(e.target.value)}
                />
              </div>
            </div>
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
    </main>
  );
}
