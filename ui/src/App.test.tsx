import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import type { Api } from "./api";
import { App } from "./App";
import type { AppInfo } from "./bindings/AppInfo";
import type { SearchResponse } from "./bindings/SearchResponse";
import { card, hit, response, stubApi } from "./testData";

const info = {
  version: "0.1.0",
  store: {
    id: "s1",
    code: "LYO1",
    name: "Lyon Part-Dieu",
    city: "Lyon",
    timezone: "Europe/Paris",
  },
  database_path: "/tmp/x.sqlite",
  customers: 2000,
} as unknown as AppInfo; // `customers` is a u64 (bigint in TS) sent as a JSON number

const homonyms = response([
  hit("c-nantes", "Hélène Dupré", "Nantes", "44000"),
  hit("c-lyon", "Hélène Dupré", "Lyon", "69002"),
  hit("c-paris", "Hélène Duprez", "Paris", "75011"),
]);

function fakeApi(answer: (q: string) => Promise<SearchResponse>): Api & {
  customerCard: ReturnType<typeof vi.fn>;
} {
  return {
    ...stubApi(),
    appInfo: vi.fn(async () => info),
    search: vi.fn(answer),
    customerCard: vi.fn(async (id: string) => card(id, "Hélène Dupré")),
  };
}

async function ready() {
  const input = await screen.findByRole("combobox");
  await waitFor(() => expect(document.activeElement).toBe(input));
  return input;
}

function selectedOption() {
  return screen.getAllByRole("option").find((o) => o.getAttribute("aria-selected") === "true");
}

describe("counter keyboard", () => {
  it("starts with the focus in the search field", async () => {
    render(<App api={fakeApi(async () => homonyms)} />);
    await ready();
  });

  it("moves in results with the arrows and opens with Enter", async () => {
    const api = fakeApi(async () => homonyms);
    render(<App api={api} />);
    const input = await ready();

    fireEvent.change(input, { target: { value: "helene dupre" } });
    await screen.findByText("Nantes (44000)");
    expect(screen.getAllByRole("option")).toHaveLength(3);
    expect(selectedOption()).toBeUndefined();

    fireEvent.keyDown(input, { key: "ArrowDown" });
    expect(selectedOption()?.textContent).toContain("Nantes");
    fireEvent.keyDown(input, { key: "ArrowDown" });
    expect(selectedOption()?.textContent).toContain("Lyon (69002)");
    expect(input.getAttribute("aria-activedescendant")).toBe(selectedOption()?.id);
    fireEvent.keyDown(input, { key: "ArrowDown" });
    fireEvent.keyDown(input, { key: "ArrowDown" }); // stays on the last one
    expect(selectedOption()?.textContent).toContain("Paris");
    fireEvent.keyDown(input, { key: "ArrowUp" });
    expect(selectedOption()?.textContent).toContain("Lyon");

    fireEvent.keyDown(input, { key: "Enter" });
    await screen.findByRole("heading", { level: 1, name: /Hélène Dupré/ });
    expect(api.customerCard).toHaveBeenCalledWith("c-lyon");
    expect(screen.getByText("W10000001")).toBeTruthy();

    // Esc: back to the same results, same selection, focus in the field.
    fireEvent.keyDown(window, { key: "Escape" });
    const again = await ready();
    expect(selectedOption()?.textContent).toContain("Lyon");
    expect((again as HTMLInputElement).value).toBe("helene dupre");

    // Esc again: cleared.
    fireEvent.keyDown(again, { key: "Escape" });
    expect((again as HTMLInputElement).value).toBe("");
    expect(screen.queryAllByRole("option")).toHaveLength(0);
  });

  it("opens the card of an exact order number on Enter without waiting", async () => {
    const api = fakeApi(async (q) => ({
      hits: [hit("c-lyon", "Hélène Dupré", "Lyon", "69002")],
      direct: { kind: "order", customer_id: "c-lyon", order_id: "o1", number: q },
      more: false,
    }));
    render(<App api={api} />);
    const input = await ready();

    fireEvent.change(input, { target: { value: "W10000001" } });
    fireEvent.keyDown(input, { key: "Enter" });
    await screen.findByRole("heading", { level: 1, name: /Hélène Dupré/ });
    expect(api.search).toHaveBeenCalledWith("W10000001");
    expect(api.customerCard).toHaveBeenCalledWith("c-lyon");
    // The scanned order is pointed out.
    const order = screen.getByRole("article", { name: "Commande W10000001" });
    expect(order.className).toContain("highlighted");
  });

  it("shows the parcels of an order delivered in several parts", async () => {
    const api = fakeApi(async (q) => ({
      hits: [hit("c-lyon", "Hélène Dupré", "Lyon", "69002")],
      direct: { kind: "order", customer_id: "c-lyon", order_id: "o1", number: q },
      more: false,
    }));
    api.customerCard.mockImplementation(async (id: string) => {
      const c = card(id, "Hélène Dupré");
      const first = c.orders[0];
      if (!first) throw new Error("fixture: an order");
      first.shipments = [
        {
          id: "s1",
          delivered_at: "2026-11-04T10:10:00Z",
          carrier: "Colissimo",
          line_nos: [1],
          shipped_at: null,
          delivery_estimated: false,
        },
        {
          id: "s2",
          delivered_at: "2026-11-12T14:10:00Z",
          carrier: null,
          line_nos: [2, 3],
          shipped_at: null,
          delivery_estimated: false,
        },
      ];
      return c;
    });
    render(<App api={api} />);
    const input = await ready();
    fireEvent.change(input, { target: { value: "W10000001" } });
    fireEvent.keyDown(input, { key: "Enter" });
    await screen.findByRole("heading", { level: 1, name: /Hélène Dupré/ });
    const order = await screen.findByRole("article", { name: "Commande W10000001" });
    const parcels = order.querySelector(".shipments")?.textContent ?? "";
    expect(parcels).toContain("Livrée en 2 colis");
    expect(parcels).toContain("le 04/11/2026 (article 1, Colissimo)");
    expect(parcels).toContain("le 12/11/2026 (articles 2, 3)");
    // One delivery date per parcel, not the order's.
    expect(order.querySelector(".where")?.textContent).not.toContain("livrée le");
  });

  it("shows a web parcel known by its dispatch, and the line not yet shipped", async () => {
    const api = fakeApi(async (q) => ({
      hits: [hit("c-lyon", "Hélène Dupré", "Lyon", "69002")],
      direct: { kind: "order", customer_id: "c-lyon", order_id: "o1", number: q },
      more: false,
    }));
    api.customerCard.mockImplementation(async (id: string) => {
      const c = card(id, "Hélène Dupré");
      const first = c.orders[0];
      const line = first?.lines[0];
      if (!first || !line) throw new Error("fixture: an order with a line");
      first.delivered_at = null;
      first.lines = [line, { ...line, id: "l2", line_no: 2 }];
      first.shipments = [
        {
          id: "s1",
          delivered_at: "2026-10-10T12:00:00Z",
          carrier: "Colissimo - Livraison à domicile",
          line_nos: [1],
          shipped_at: "2026-10-03T08:15:00Z",
          delivery_estimated: true,
        },
      ];
      return c;
    });
    render(<App api={api} />);
    const input = await ready();
    fireEvent.change(input, { target: { value: "#1001" } });
    fireEvent.keyDown(input, { key: "Enter" });
    const order = await screen.findByRole("article", { name: "Commande W10000001" });
    const parcels = order.querySelector(".shipments")?.textContent ?? "";
    expect(parcels).toContain("Expédiée en 1 colis");
    expect(parcels).toContain("expédié le 03/10/2026, réception estimée au 10/10/2026");
    expect(parcels).toContain("article 2 pas encore expédié");
    expect(parcels).not.toContain("Livrée");
  });

  /** Searches « dupre »; its one hit opens with Enter. */
  async function openDupreCard() {
    const api = fakeApi(async () => response([hit("c-lyon", "Hélène Dupré", "Lyon", "69002")]));
    render(<App api={api} />);
    const input = await ready();
    fireEvent.change(input, { target: { value: "dupre" } });
    await screen.findByText("Lyon (69002)");
    fireEvent.keyDown(input, { key: "Enter" }); // one hit: Enter opens it
    await screen.findByRole("heading", { level: 1 });
  }

  it("F2 and / bring the search back from the card", async () => {
    await openDupreCard();

    fireEvent.keyDown(document.activeElement ?? window, { key: "/" });
    await ready();

    fireEvent.keyDown(screen.getByRole("combobox"), { key: "Enter" });
    await screen.findByRole("heading", { level: 1 });
    fireEvent.keyDown(document.activeElement ?? window, { key: "F2" });
    await ready();
  });

  it("F2 selects the query at once, so what is typed right after replaces it whole", async () => {
    await openDupreCard();

    // From the card: selected as the screen mounts, not a frame later
    // (no await between the key and the check).
    fireEvent.keyDown(document.activeElement ?? window, { key: "F2" });
    const back = screen.getByRole("combobox") as HTMLInputElement;
    expect(document.activeElement).toBe(back);
    expect([back.selectionStart, back.selectionEnd]).toEqual([0, "dupre".length]);

    // On the search screen already: selected at once too.
    back.setSelectionRange(5, 5);
    fireEvent.keyDown(back, { key: "F2" });
    expect([back.selectionStart, back.selectionEnd]).toEqual([0, "dupre".length]);
  });

  it("shows a command error in the alert region, and a too-short query as a hint", async () => {
    const api = fakeApi(async (q) => {
      if (q.length < 2) {
        throw { code: "query_too_short", message: "Saisissez au moins 2 lettres ou chiffres." };
      }
      throw { code: "database_locked", message: "Base de données occupée, réessayez." };
    });
    render(<App api={api} />);
    const input = await ready();

    fireEvent.change(input, { target: { value: "h" } });
    await screen.findByText("Saisissez au moins 2 lettres ou chiffres.");
    expect(screen.getByRole("alert").textContent).toBe("");

    fireEvent.change(input, { target: { value: "hé" } });
    await waitFor(() =>
      expect(screen.getByRole("alert").textContent).toContain("Base de données occupée"),
    );
  });

  it("says when there are more results than listed", async () => {
    render(<App api={fakeApi(async () => response([hit("a", "Martin", "Lyon", "69001")], true))} />);
    const input = await ready();
    fireEvent.change(input, { target: { value: "martin" } });
    await screen.findByText(/Plus de résultats : précisez \(prénom, ville…\)/);
  });

  it("shows a full-screen French message when the database cannot be opened", async () => {
    const api: Api = stubApi({
      appInfo: vi.fn(async () => {
        throw { code: "db_missing", message: "La base de données est introuvable." };
      }),
    });
    render(<App api={api} />);
    const alert = await screen.findByRole("alert");
    expect(within(alert).getByRole("heading").textContent).toBe("Comptoir ne peut pas démarrer");
    expect(alert.textContent).toContain("La base de données est introuvable.");
    expect(alert.textContent).toContain("db_missing");
    expect(screen.queryByRole("combobox")).toBeNull();
    await act(async () => {});
  });
});
