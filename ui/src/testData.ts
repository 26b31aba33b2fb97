// Realistic payloads shaped like the generated bindings, for component tests.
import { vi } from "vitest";

import type { Api } from "./api";
import type { CustomerCard } from "./bindings/CustomerCard";
import type { DossierDetail } from "./bindings/DossierDetail";
import type { SearchHit } from "./bindings/SearchHit";
import type { SearchResponse } from "./bindings/SearchResponse";

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
      },
    ],
    dossiers: [],
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
  ];
  const api = Object.fromEntries(names.map((n) => [n, refuse(n)])) as unknown as Api;
  api.getSettings = vi.fn(async () => ({ clerk: "Marie Curie", printer: null }));
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
      ...overrides,
    },
  };
}
