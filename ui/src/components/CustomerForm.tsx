// A customer met at the counter (« Nouveau client ») or corrected from the
// card (« Modifier »). Keyboard first: Tab goes down the form, Enter saves,
// Esc (the app's key) cancels. Rust checks every field and names what is
// wrong; the message is shown next to its field. A phone or an e-mail that
// belongs to another customer is pointed out before saving: the clerk opens
// that card, or saves anyway — never silently.
import { useEffect, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";

import type { Api, CommandError } from "../api";
import { toCommandError } from "../api";
import type { AddressInput } from "../bindings/AddressInput";
import type { CustomerCard } from "../bindings/CustomerCard";
import type { CustomerCheck } from "../bindings/CustomerCheck";
import type { CustomerPatch } from "../bindings/CustomerPatch";
import type { CustomerView } from "../bindings/CustomerView";
import type { FieldProblem } from "../bindings/FieldProblem";
import type { NewCustomer } from "../bindings/NewCustomer";
import type { PossibleDuplicate } from "../bindings/PossibleDuplicate";
import { AlertRegion } from "./AlertRegion";
import { Icon } from "./Icon";

export type CustomerFormMode =
  | { kind: "new"; /** What was typed in the search field. */ prefill?: string }
  | { kind: "edit"; customer: CustomerView };

interface Props {
  api: Api;
  mode: CustomerFormMode;
  /** What was typed before the clerk looked at another card (Esc comes back to it). */
  resume?: CustomerDraft;
  onSaved(card: CustomerCard): void;
  /** Opens another customer's card; `draft` is what is typed so far, to resume on return. */
  onOpenCustomer(customerId: string, draft: CustomerDraft): void;
}

export type CustomerDraft = Draft;

interface Draft {
  title: string;
  first_name: string;
  last_name: string;
  address: AddressInput;
  phones: string[];
  emails: string[];
  email_marketing: boolean;
  sms_marketing: boolean;
}

/** Where the search text goes in a new form: a phone, an e-mail or the name (a convenience only). */
function fromSearch(text: string | undefined): Partial<Draft> {
  const t = (text ?? "").trim();
  if (t === "") return {};
  if (t.includes("@")) return { emails: [t] };
  if (/^[\d\s+().-]+$/.test(t)) return { phones: [t] };
  return { last_name: t };
}

function initial(mode: CustomerFormMode): Draft {
  if (mode.kind === "edit") {
    const c = mode.customer;
    const of = (kind: "phone" | "email") => c.contacts.filter((k) => k.kind === kind).map((k) => k.value);
    const phones = of("phone");
    const emails = of("email");
    return {
      title: c.title ?? "",
      first_name: c.first_name,
      last_name: c.last_name,
      address: {
        line1: c.address_line1,
        line2: c.address_line2,
        postal_code: c.postal_code,
        city: c.city,
        country: c.country,
      },
      phones: phones.length ? phones : [""],
      emails: emails.length ? emails : [""],
      email_marketing: c.consents.email_marketing,
      sms_marketing: c.consents.sms_marketing,
    };
  }
  return {
    title: "",
    first_name: "",
    last_name: "",
    address: { line1: "", line2: null, postal_code: "", city: "", country: "FR" },
    phones: [""],
    emails: [""],
    email_marketing: false,
    sms_marketing: false,
    ...fromSearch(mode.prefill),
  };
}

function toNew(d: Draft): NewCustomer {
  return {
    title: d.title || null,
    first_name: d.first_name,
    last_name: d.last_name,
    address: { ...d.address, line2: d.address.line2 || null },
    phones: d.phones,
    emails: d.emails,
    email_marketing: d.email_marketing,
    sms_marketing: d.sms_marketing,
  };
}

/** The fields the clerk touched (Rust still records only what really changes). */
function toPatch(d: Draft, start: Draft): CustomerPatch {
  const all: CustomerPatch = { ...toNew(d), title: d.title };
  const was: CustomerPatch = { ...toNew(start), title: start.title };
  const patch: CustomerPatch = {};
  for (const key of Object.keys(all) as (keyof CustomerPatch)[]) {
    if (JSON.stringify(all[key]) !== JSON.stringify(was[key])) {
      (patch as Record<string, unknown>)[key] = all[key];
    }
  }
  return patch;
}

/** `phones.1` → the id of its input. */
const inputId = (field: string) => `cf-${field.replace(/\./g, "-")}`;

export function CustomerForm({ api, mode, resume, onSaved, onOpenCustomer }: Props) {
  const [start] = useState<Draft>(() => initial(mode));
  const [draft, setDraft] = useState<Draft>(resume ?? start);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [duplicates, setDuplicates] = useState<PossibleDuplicate[]>([]);
  const [error, setError] = useState<CommandError | null>(null);
  const [saving, setSaving] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const warningRef = useRef<HTMLDivElement>(null);
  const editing = mode.kind === "edit";

  // A layout effect: the focus is in place before the clerk's first key,
  // never moved away from a field they already started typing in.
  useLayoutEffect(() => {
    // The first empty required field, else the first one.
    const first = formRef.current?.querySelector<HTMLElement>(
      draft.last_name && !draft.first_name ? "#cf-first_name" : "#cf-title",
    );
    first?.focus();
    // Once, when the form opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    if (duplicates.length > 0) warningRef.current?.querySelector<HTMLElement>("button")?.focus();
  }, [duplicates]);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setDuplicates([]);
  };
  // From the latest draft, not the one of the last render: two keys
  // handled before React renders again must both count.
  const setAddress = (key: keyof AddressInput, value: string) => {
    setDraft((d) => ({ ...d, address: { ...d.address, [key]: value } }));
    setDuplicates([]);
  };
  const setContact = (list: "phones" | "emails", index: number, value: string) => {
    setDraft((d) => ({ ...d, [list]: d[list].map((v, i) => (i === index ? value : v)) }));
    setDuplicates([]);
  };

  const problemOf = (field: string) => problems.find((p) => p.field === field);

  async function save(confirmDuplicates: boolean) {
    if (saving) return;
    setSaving(true);
    setError(null);
    try {
      if (!confirmDuplicates) {
        const check: CustomerCheck =
          mode.kind === "edit"
            ? await api.checkCustomerEdit(mode.customer.id, toPatch(draft, start))
            : await api.checkNewCustomer(toNew(draft));
        setProblems(check.problems);
        const first = check.problems[0];
        if (first) {
          const el = document.getElementById(inputId(first.field)) ?? document.getElementById(inputId(`${first.field}.0`));
          el?.focus();
          return;
        }
        if (check.duplicates.length > 0) {
          setDuplicates(check.duplicates);
          return;
        }
      }
      const card =
        mode.kind === "edit"
          ? await api.editCustomer(mode.customer.id, toPatch(draft, start), confirmDuplicates)
          : await api.createCustomer(toNew(draft), confirmDuplicates);
      onSaved(card);
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setSaving(false);
    }
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    void save(false);
  }

  function onKeyDown(event: KeyboardEvent<HTMLFormElement>) {
    // Enter saves from any field (checkboxes and the civility too); on a
    // button it presses that button.
    const target = event.target as HTMLElement;
    if (event.key === "Enter" && (target instanceof HTMLInputElement || target instanceof HTMLSelectElement)) {
      event.preventDefault();
      void save(false);
    }
  }

  const text = (field: string, label: string, value: string, onChange: (v: string) => void, extra?: { autoComplete?: string; type?: string; help?: string }) => {
    const problem = problemOf(field);
    const id = inputId(field);
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          type={extra?.type ?? "text"}
          value={value}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? `${id}-error` : extra?.help ? `${id}-help` : undefined}
          onChange={(e) => onChange(e.target.value)}
        />
        {extra?.help && !problem ? (
          <span id={`${id}-help`} className="field-help">
            {extra.help}
          </span>
        ) : null}
        {problem ? (
          <p id={`${id}-error`} className="field-error">
            {problem.message}
          </p>
        ) : null}
      </div>
    );
  };

  const contacts = (list: "phones" | "emails", label: string, more: string, help: string) => {
    const listProblem = problemOf(list);
    return (
      <fieldset className="choice contact-list">
        <legend className="field-label">{label}</legend>
        {draft[list].map((value, i) =>
          text(
            `${list}.${i}`,
            i === 0 ? `${label === "Téléphones" ? "Téléphone" : "E-mail"} principal` : `${label === "Téléphones" ? "Téléphone" : "E-mail"} ${i + 1}`,
            value,
            (v) => setContact(list, i, v),
            { type: list === "emails" ? "email" : "tel", help: i === 0 ? help : undefined },
          ),
        )}
        {listProblem ? <p className="field-error">{listProblem.message}</p> : null}
        <button type="button" className="button small" onClick={() => set(list, [...draft[list], ""])}>
          <Icon name="plus" /> {more}
        </button>
      </fieldset>
    );
  };

  return (
    <main className="customer-form-screen">
      <h1>{mode.kind === "edit" ? `Modifier la fiche de ${mode.customer.display_name}` : "Nouveau client"}</h1>
      <AlertRegion error={error} />
      {duplicates.length > 0 ? (
        <div className="duplicate-warning" role="alert" ref={warningRef} aria-labelledby="duplicate-title">
          <h2 id="duplicate-title">
            <Icon name="alert" /> Doublon possible
          </h2>
          <ul>
            {duplicates.map((d) => (
              <li key={`${d.field}-${d.customer_id}`} data-duplicate-of={d.customer_id}>
                {d.kind === "phone" ? "Ce numéro" : "Cette adresse"} ({d.value}) est déjà {d.kind === "phone" ? "celui" : "celle"} de{" "}
                <strong>{d.display_name}</strong>
                {d.city ? ` (${d.postal_code} ${d.city})` : null}.{" "}
                <button type="button" className="button small" onClick={() => onOpenCustomer(d.customer_id, draft)}>
                  Ouvrir la fiche de {d.display_name}
                </button>
              </li>
            ))}
          </ul>
          <p className="actions">
            <button type="button" className="button" id="save-anyway" onClick={() => void save(true)} disabled={saving}>
              Enregistrer quand même
            </button>
            <span className="muted">ou corrigez le champ, puis Entrée.</span>
          </p>
        </div>
      ) : null}
      <form ref={formRef} className="customer-form" onSubmit={onSubmit} onKeyDown={onKeyDown} noValidate aria-label={editing ? "Modifier la fiche client" : "Nouveau client"}>
        <div className="field-row">
          <div className="field narrow">
            <label htmlFor="cf-title">Civilité</label>
            <select
              id="cf-title"
              value={draft.title}
              aria-invalid={problemOf("title") ? true : undefined}
              onChange={(e) => set("title", e.target.value)}
            >
              <option value="">—</option>
              <option value="Mme">Mme</option>
              <option value="M.">M.</option>
            </select>
            {problemOf("title") ? <p className="field-error">{problemOf("title")?.message}</p> : null}
          </div>
          {text("first_name", "Prénom", draft.first_name, (v) => set("first_name", v))}
          {text("last_name", "Nom", draft.last_name, (v) => set("last_name", v))}
        </div>
        <div className="field-row">
          <div className="field grow">
            {contacts("phones", "Téléphones", "Ajouter un téléphone", "Toute écriture : 06 12 34 56 78, +33 6…, 0692…")}
          </div>
          <div className="field grow">
            {contacts("emails", "E-mails", "Ajouter un e-mail", "nom@domaine.fr")}
          </div>
        </div>
        <fieldset className="choice">
          <legend className="field-label">Adresse</legend>
          {text("address.line1", "Rue", draft.address.line1, (v) => setAddress("line1", v))}
          {text("address.line2", "Complément", draft.address.line2 ?? "", (v) => setAddress("line2", v))}
          <div className="field-row">
            {text("address.postal_code", "Code postal", draft.address.postal_code, (v) => setAddress("postal_code", v))}
            {text("address.city", "Ville", draft.address.city, (v) => setAddress("city", v))}
            {text("address.country", "Pays (code)", draft.address.country, (v) => setAddress("country", v))}
          </div>
        </fieldset>
        <fieldset className="choice">
          <legend className="field-label">Consentements</legend>
          <label className="check">
            <input
              type="checkbox"
              id="cf-email_marketing"
              checked={draft.email_marketing}
              onChange={(e) => set("email_marketing", e.target.checked)}
            />
            Accepte les offres par e-mail
          </label>
          <label className="check">
            <input
              type="checkbox"
              id="cf-sms_marketing"
              checked={draft.sms_marketing}
              onChange={(e) => set("sms_marketing", e.target.checked)}
            />
            Accepte les offres par SMS
          </label>
        </fieldset>
        <div className="form-actions">
          <button type="submit" className="button primary" id="customer-save" disabled={saving}>
            <Icon name="yes" /> Enregistrer <kbd>Entrée</kbd>
          </button>
          <span className="muted">
            <kbd>Échap</kbd> pour annuler
          </span>
          {saving ? <span className="pending">Enregistrement…</span> : null}
        </div>
      </form>
    </main>
  );
}
