// Realistic payloads shaped like the generated bindings, for component tests.
import type { CustomerCard } from "./bindings/CustomerCard";
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
        lines: [],
      },
    ],
    dossiers: [],
  };
}
