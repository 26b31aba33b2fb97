// Realistic payloads shaped like the generated bindings, for component tests.
import { vi } from "vitest";

import type { Api } from "./api";
import type { AppInfo } from "./bindings/AppInfo";
import type { CustomerCard } from "./bindings/CustomerCard";
import type { DecisionRecord } from "./bindings/DecisionRecord";
import type { DossierDetail } from "./bindings/DossierDetail";
import type { IntakeForm } from "./bindings/IntakeForm";
import type { PolicyPreview } from "./bindings/PolicyPreview";
import type { SearchHit } from "./bindings/SearchHit";
import type { SearchResponse } from "./bindings/SearchResponse";
import type { UserView } from "./bindings/UserView";
import type { SessionView } from "./bindings/SessionView";

export function hit(id: string, name: string, city: string, postal: string): SearchHit {
  return {
    customer_id: id,
    display_name: name,
    city,
    postal_code: postal,
    phone: "06 12 34 56 78",
    email: `${id}@exemple.fr`,
    last_purchase: {
      ordered_at: "2026-03-12T09:42:00Z",
      channel: "store",
      where_label: `Magasin de ${city}`,
    },
    open_dossiers: 1,
    matched: "name",
    matched_label: null,
  };
}

export function response(hits: SearchHit[], more = false): SearchResponse {
  return { hits, direct: null, more };
}

export function card(id: string, name: string): CustomerCard {
  return {
    customer: {
      id,
      title: "Mme",
      first_name: name.split(" ")[0] ?? name,
      last_name: name.split(" ")[1] ?? "",
      display_name: name,
      address_line1: "12 rue de la République",
      address_line2: null,
      postal_code: "69002",
      city: "Lyon",
      country: "FR",
      contacts: [],
      consents: { email_marketing: true, sms_marketing: false, updated_at: null },
      created_at: "2021-01-05T10:00:00Z",
    },
    orders: [
      {
        id: "o1",
        number: "W10000001",
        channel: "web",
        channel_label: "Site web",
        marketplace: null,
        store: null,
        where_label: "Site web",
        ordered_at: "2026-02-01T10:00:00Z",
        delivered_at: "2026-02-03T10:00:00Z",
        total: 129999,
        shipping: 0,
        payment_method: "carte bancaire",
        lines: [
          {
            id: "l1",
            line_no: 1,
            product: {
              id: "p1",
              sku: "IRB-J7",
              name: "Aspirateur robot J7",
              brand: "iRobot",
              category: "Petit électroménager",
              sold_as: "new",
            },
            quantity: 1,
            unit_price: 129999,
            line_total: 129999,
            serial_numbers: ["IR2609120456"],
          },
        ],
        shipments: [],
      },
    ],
    dossiers: [],
    history: [],
    erased_at: null,
  };
}

/** Every command of the Api as a mock that fails unless a test says otherwise. */
export function stubApi(overrides: Partial<Api> = {}): Api {
  const refuse = (name: string) =>
    vi.fn(async () => {
      throw { code: "not_stubbed", message: `${name} non prévu par le test` };
    });
  const names: (keyof Api)[] = [
    "appInfo", "search", "customerCard", "intakeForm", "openDossier", "dossierDetail",
    "dossierAction", "addNote", "assignDossier", "closeDossier", "recordSatisfaction",
    "listDossiers", "messageTemplates", "getSettings", "setSetting", "listPrinters", "printDossier",
    "policyPreview", "dossierPolicy", "decide", "managers", "currentPolicy", "users",
    "checkNewCustomer", "checkCustomerEdit", "createCustomer", "editCustomer",
    "syncStatus", "syncNow", "syncEnrol",
    "signIn", "signOut", "currentSession", "touch", "lock", "setIdleLock", "unlockUser",
    "dashboard", "drillDown", "reportChoices", "exportReport", "auditLog",
    "customerSignals", "weakSignals", "signalThresholds", "setSignalThresholds", "followUpQueue",
    "recordFollowUp", "eraseCustomer", "exportCustomer",
  ];
  const api = Object.fromEntries(names.map((n) => [n, refuse(n)])) as unknown as Api;
  api.getSettings = vi.fn(async () => ({ printer: null, idle_lock_minutes: 5 }));
  // Signed in as a clerk unless a test says otherwise.
  api.currentSession = vi.fn(async () => sessionOf("clerk"));
  api.touch = vi.fn(async () => sessionOf("clerk"));
  api.onSyncChanged = vi.fn(() => () => {});
  return { ...api, ...overrides };
}

export function detail(overrides: Partial<DossierDetail["dossier"]> = {}): DossierDetail {
  const c = card("c-lyon", "Hélène Dupré");
  return {
    customer: c.customer,
    order: c.orders[0] ?? null,
    dossier: {
      id: "d1",
      number: "SAV-LYO1-2026-000001",
      status: "opened",
      status_label: "Ouvert",
      is_open: true,
      origin: "store",
      origin_label: "Au magasin",
      store: null,
      reason_code: "defect.battery",
      reason_label: "Batterie défectueuse",
      customer_words: "Il ne tient plus la charge.",
      product_name: "Aspirateur robot J7",
      order_number: "W10000001",
      order_line_id: "l1",
      without_purchase_record: false,
      opened_at: "2026-11-23T09:00:00Z",
      promised_at: "2026-11-27T17:00:00Z",
      closed_at: null,
      events: [
        { id: "e1", at: "2026-11-23T09:00:00Z", actor: "Marie Curie", kind: "opened", summary: "Dossier ouvert", note: null },
      ],
      condition_label: "Bon état",
      condition_note: null,
      accessories: ["Chargeur"],
      serial_number: "IR2609120456",
      assignee: null,
      opened_by: "Marie Curie",
      promise_label: "48 heures ouvrées",
      legal_cap_at: null,
      deadline_status: "on_time",
      deadline_label: "Dans les temps",
      allowed_actions: [
        { action: "diagnose", label: "Diagnostiquer" },
        { action: "close", label: "Clôturer" },
      ],
      resolution: null,
      follow_up_due: null,
      csat_score: null,
      csat_comment: null,
      decision: null,
      can_decide: true,
      can_record_satisfaction: false,
      can_assign: true,
      ...overrides,
    },
  };
}

/** A ruling shaped like Rust's: the seven options in order, some refused, one needing a manager. */
export function policyPreview(overrides: Partial<NonNullable<PolicyPreview["decision"]>> = {}): PolicyPreview {
  return {
    category_label: "Petit électroménager",
    unavailable: null,
    manager_options: [],
    decision: {
      policy_id: "sav-unifie",
      policy_version: "2026.1",
      facts: {
        delivery_date: "2026-02-03",
        defect_noticed_date: "2026-11-23",
        guarantee_end: "2028-02-03",
        guarantee_active: true,
        presumption_end: "2027-02-03",
        presumption_applies: true,
        guarantee_end_if_repaired: "2028-08-03",
        remedy_deadline: "2026-12-23",
        withdrawal_from: null,
        withdrawal_period_end: null,
        withdrawal_deadline: null,
        withdrawal_open: false,
        policy_withdrawal_deadline: null,
        policy_withdrawal_open: false,
        withdrawal_exclusion: null,
        commercial_warranty_start: null,
        commercial_warranty_end: null,
        commercial_warranty_extended_days: 0,
        commercial_warranty_guarantor: null,
        hidden_defect_deadline: "2028-11-23",
      },
      options: [
        {
          resolution: "refund", label: "Remboursement", allowed: false, needs_manager: false, basis: "legal", basis_label: "La loi", article: "L217-8",
          rule: null, amount: null,
          explanation: "Le remboursement n'est dû que si la réparation et le remplacement sont impossibles.",
        },
        {
          resolution: "exchange", label: "Échange", allowed: false, needs_manager: false, basis: "policy", basis_label: "La politique de l'enseigne", article: null,
          rule: "change_of_mind.window", amount: null,
          explanation: "Le délai d'échange de 30 jours est dépassé.",
        },
        {
          resolution: "credit_note", label: "Avoir", allowed: true, needs_manager: true, basis: "goodwill", basis_label: "Un geste de l'enseigne", article: null,
          rule: "change_of_mind.opened", amount: 76900,
          explanation: "Un geste de l'enseigne : avoir valable un an.",
        },
        {
          resolution: "repair", label: "Réparation", allowed: true, needs_manager: false, basis: "legal", basis_label: "La loi", article: "L217-9",
          rule: null, amount: null,
          explanation: "Réparation gratuite au titre de la garantie légale de conformité.",
        },
        {
          resolution: "replacement", label: "Remplacement", allowed: true, needs_manager: false, basis: "legal", basis_label: "La loi", article: "L217-9",
          rule: null, amount: null,
          explanation: "Remplacement au titre de la garantie légale de conformité.",
        },
        {
          resolution: "send_to_manufacturer", label: "Envoi au fabricant", allowed: true, needs_manager: false, basis: "policy", basis_label: "La politique de l'enseigne", article: null,
          rule: "manufacturer.direct", amount: null,
          explanation: "Le fabricant répare directement sous sa garantie commerciale.",
        },
        {
          resolution: "refusal", label: "Refus", allowed: false, needs_manager: true, basis: "legal", basis_label: "La loi", article: "L217-3",
          rule: null, amount: null,
          explanation: "Un refus n'est pas possible : le défaut est présumé exister à la livraison.",
        },
      ],
      gesture: {
        amount: 5000,
        needs_manager: true,
        clerk_limit: 2000,
        explanation: "Gêne importante : jusqu'à 50 € de bon d'achat.",
      },
      mediator: null,
      ...overrides,
    },
  };
}

export function managers(): UserView[] {
  return [
    { id: "u1", login: "sroux", display_name: "Sophie Roux", role: "manager", role_label: "Responsable", locked_until: null },
    {
      id: "u2", login: "pblanc", display_name: "Paul Blanc", role: "manager", role_label: "Responsable",
      locked_until: "2026-11-23T10:15:00Z",
    },
  ];
}

export function decisionRecord(overrides: Partial<DecisionRecord> = {}): DecisionRecord {
  return {
    resolution: "credit_note",
    resolution_label: "Avoir",
    basis: "goodwill",
    basis_label: "Un geste de l'enseigne",
    article: null,
    rule: "change_of_mind.opened",
    amount: 76900,
    explanation: "Un geste de l'enseigne : avoir valable un an.",
    gesture: 2000,
    policy_id: "sav-unifie",
    policy_version: "2026.1",
    decided_by: "Marie Curie",
    decided_at: "2026-11-23T09:05:00Z",
    approved_by: "Sophie Roux",
    note: null,
    mediator: null,
    ...overrides,
  };
}

/** The header's information for a Lyon counter. */
export const appInfo = {
  version: "0.1.0",
  store: { id: "s1", code: "LYO1", name: "Lyon Part-Dieu", city: "Lyon", timezone: "Europe/Paris" },
  database_path: "/tmp/x.sqlite",
  customers: 2000,
} as unknown as AppInfo;

/** The intake form with the given reasons (conditions and severities as Rust sends them). */
export function intakeForm(reasons: IntakeForm["reasons"]): IntakeForm {
  return {
    reasons,
    conditions: [
      { code: "as_new", label: "Comme neuf" },
      { code: "good", label: "Bon état" },
    ],
    max_text_chars: 2000,
    max_accessories: 20,
    severities: [
      { code: "minor", label: "Gêne légère" },
      { code: "major", label: "Gêne importante" },
      { code: "critical", label: "Produit essentiel inutilisable" },
    ],
  };
}

/** A session as Rust gives it: Marie Curie (clerk) or Sophie Roux (manager). */
export function sessionOf(role: "clerk" | "manager", locked = false): SessionView {
  const clerk = role === "clerk";
  return {
    session: {
      user_id: clerk ? "u-marie" : "u-sophie",
      login: clerk ? "marie.c" : "sophie.r",
      display_name: clerk ? "Marie Curie" : "Sophie Roux",
      role,
      role_label: clerk ? "Conseiller" : "Responsable",
      signed_in_at: "2026-12-01T09:00:00Z",
      last_activity: "2026-12-01T09:00:00Z",
    },
    locked,
    idle_secs: 300,
  };
}
