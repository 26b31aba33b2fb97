import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import type { Api } from "./api";
import { App } from "./App";
import type { CustomerCard } from "./bindings/CustomerCard";
import type { CustomerCheck } from "./bindings/CustomerCheck";
import { appInfo, card, stubApi } from "./testData";

const clean: CustomerCheck = { problems: [], duplicates: [] };

function counterApi(overrides: Partial<Api> = {}) {
  return stubApi({
    appInfo: vi.fn(async () => appInfo),
    search: vi.fn(async () => ({ hits: [], direct: null, more: false })),
    customerCard: vi.fn(async (id: string) => card(id, "Hélène Dupré")),
    ...overrides,
  });
}

function saved(id: string, name: string): CustomerCard {
  return card(id, name);
}

async function openNewCustomerFrom(text: string) {
  const input = await screen.findByRole("combobox");
  fireEvent.change(input, { target: { value: text } });
  const button = await screen.findByRole("button", { name: /Nouveau client/ });
  fireEvent.click(button);
  await screen.findByRole("heading", { level: 1, name: "Nouveau client" });
}

describe("new customer", () => {
  it("is offered when nobody is found, prefilled with the phone typed, saved with Enter", async () => {
    const createCustomer = vi.fn(async () => saved("c-new", "Théo Lambertin"));
    const checkNewCustomer = vi.fn(async () => clean);
    const customerCard = vi.fn(async (id: string) => card(id, id === "c-new" ? "Théo Lambertin" : "Hélène Dupré"));
    const api = counterApi({ createCustomer, checkNewCustomer, customerCard });
    render(<App api={api} />);
    await openNewCustomerFrom("06 98 76 54 32");

    expect((screen.getByLabelText("Téléphone principal") as HTMLInputElement).value).toBe("06 98 76 54 32");
    expect(document.activeElement?.id).toBe("cf-title");
    fireEvent.change(screen.getByLabelText("Prénom"), { target: { value: "Théo" } });
    const last = screen.getByLabelText("Nom");
    fireEvent.change(last, { target: { value: "Lambertin" } });
    fireEvent.keyDown(last, { key: "Enter" });

    await waitFor(() => expect(createCustomer).toHaveBeenCalledTimes(1));
    expect(checkNewCustomer).toHaveBeenCalledTimes(1);
    const [input, confirm] = createCustomer.mock.calls[0] as unknown as [Record<string, unknown>, boolean];
    expect(input).toMatchObject({ first_name: "Théo", last_name: "Lambertin", phones: ["06 98 76 54 32"] });
    expect(confirm).toBe(false);
    // The new card replaces the form.
    await screen.findByRole("heading", { level: 1, name: "Théo Lambertin" });
    expect(customerCard).toHaveBeenCalledWith("c-new");
  });

  it("shows each refusal next to its field and saves nothing", async () => {
    const createCustomer = vi.fn(async () => saved("c-new", "x"));
    const api = counterApi({
      createCustomer,
      checkNewCustomer: vi.fn(async () => ({
        problems: [
          { field: "last_name", code: "customer_without_name", message: "Un client doit avoir un nom." },
          { field: "emails.0", code: "invalid_email", message: "Adresse e-mail invalide « lea@ »." },
        ],
        duplicates: [],
      })),
    });
    render(<App api={api} />);
    await openNewCustomerFrom("lea@");
    fireEvent.click(screen.getByRole("button", { name: /Enregistrer/ }));

    const name = screen.getByLabelText("Nom");
    await waitFor(() => expect(name.getAttribute("aria-invalid")).toBe("true"));
    expect(document.getElementById(name.getAttribute("aria-describedby") ?? "")?.textContent).toBe(
      "Un client doit avoir un nom.",
    );
    const email = screen.getByLabelText("E-mail principal");
    expect(email.getAttribute("aria-invalid")).toBe("true");
    expect(document.getElementById(email.getAttribute("aria-describedby") ?? "")?.textContent).toContain("lea@");
    expect(document.activeElement).toBe(name);
    expect(createCustomer).not.toHaveBeenCalled();
  });

  it("points out a possible duplicate: open the other card, or save anyway", async () => {
    const createCustomer = vi.fn(async () => saved("c-new", "Théo Lambertin"));
    const customerCard = vi.fn(async (id: string) => card(id, "Hélène Dupré"));
    const api = counterApi({
      createCustomer,
      customerCard,
      checkNewCustomer: vi.fn(async () => ({
        problems: [],
        duplicates: [
          {
            field: "phones.0",
            kind: "phone" as const,
            value: "+33 6 12 34 56 78",
            customer_id: "c-lyon",
            display_name: "Mme Hélène Dupré",
            city: "Lyon",
            postal_code: "69002",
          },
        ],
      })),
    });
    render(<App api={api} />);
    await openNewCustomerFrom("+33 6 12 34 56 78");
    fireEvent.change(screen.getByLabelText("Prénom"), { target: { value: "Théo" } });
    fireEvent.change(screen.getByLabelText("Nom"), { target: { value: "Lambertin" } });
    fireEvent.keyDown(screen.getByLabelText("Nom"), { key: "Enter" });

    const warning = await screen.findByRole("alert", { name: /Doublon possible/ });
    expect(warning.textContent).toContain("Mme Hélène Dupré");
    expect(warning.textContent).toContain("69002 Lyon");
    expect(createCustomer).not.toHaveBeenCalled();
    // The keyboard lands on the warning: Enter opens the other card.
    const open = within(warning).getByRole("button", { name: "Ouvrir la fiche de Mme Hélène Dupré" });
    await waitFor(() => expect(document.activeElement).toBe(open));

    fireEvent.click(within(warning).getByRole("button", { name: "Enregistrer quand même" }));
    await waitFor(() => expect(createCustomer).toHaveBeenCalledTimes(1));
    expect((createCustomer.mock.calls[0] as unknown as [unknown, boolean])[1]).toBe(true);
  });

  it("opens the other customer's card from the warning", async () => {
    const customerCard = vi.fn(async (id: string) => card(id, "Hélène Dupré"));
    const api = counterApi({
      customerCard,
      checkNewCustomer: vi.fn(async () => ({
        problems: [],
        duplicates: [
          { field: "emails.0", kind: "email" as const, value: "helene.dupre@example.fr", customer_id: "c-lyon", display_name: "Mme Hélène Dupré", city: "Lyon", postal_code: "69002" },
        ],
      })),
    });
    render(<App api={api} />);
    await openNewCustomerFrom("helene.dupre@example.fr");
    fireEvent.change(screen.getByLabelText("Prénom"), { target: { value: "H" } });
    fireEvent.change(screen.getByLabelText("Nom"), { target: { value: "D" } });
    fireEvent.click(screen.getByRole("button", { name: /Enregistrer/ }));
    const warning = await screen.findByRole("alert", { name: /Doublon possible/ });
    expect(warning.textContent).toContain("Cette adresse (helene.dupre@example.fr) est déjà celle de");
    fireEvent.click(within(warning).getByRole("button", { name: /Ouvrir la fiche/ }));
    await waitFor(() => expect(customerCard).toHaveBeenCalledWith("c-lyon"));
    await screen.findByRole("heading", { level: 1, name: "Hélène Dupré" });

    // Not the same person: Esc comes back to the form, as it was typed.
    fireEvent.keyDown(document.body, { key: "Escape" });
    await screen.findByRole("heading", { name: "Nouveau client" });
    expect((screen.getByLabelText("Prénom") as HTMLInputElement).value).toBe("H");
    expect((screen.getByLabelText("Nom") as HTMLInputElement).value).toBe("D");
    expect(screen.getByDisplayValue("helene.dupre@example.fr")).toBeTruthy();
  });

  it("Esc cancels and goes back to the search", async () => {
    const api = counterApi();
    render(<App api={api} />);
    await openNewCustomerFrom("Lambertin");
    expect((screen.getByLabelText("Nom") as HTMLInputElement).value).toBe("Lambertin");
    fireEvent.keyDown(screen.getByLabelText("Nom"), { key: "Escape" });
    await screen.findByRole("combobox");
    expect(screen.queryByRole("heading", { name: "Nouveau client" })).toBeNull();
  });
});

describe("correcting a customer", () => {
  it("opens from the card with the current values, sends the patch, and the card shows the history", async () => {
    const before = card("c-lyon", "Hélène Dupré");
    before.customer.contacts = [
      { id: "k1", kind: "phone", value: "06 12 34 56 78", label: null, is_primary: true },
      { id: "k2", kind: "email", value: "helene.dupre@example.fr", label: null, is_primary: true },
    ];
    const after = structuredClone(before);
    after.customer.contacts[1] = { id: "k3", kind: "email", value: "h.dupre@example.org", label: null, is_primary: true };
    after.history = [
      {
        id: "h1",
        field: "emails",
        summary: "E-mail modifié",
        at: "2026-12-01T09:42:00Z",
        actor: "Marie Curie",
        before: "helene.dupre@example.fr",
        after: "h.dupre@example.org",
      },
    ];
    let current = before;
    const editCustomer = vi.fn(async () => {
      current = after;
      return after;
    });
    const checkCustomerEdit = vi.fn(async () => clean);
    const api = counterApi({
      search: vi.fn(async () => ({
        hits: [],
        direct: { kind: "order" as const, customer_id: "c-lyon", order_id: "o1", number: "W10000001" },
        more: false,
      })),
      customerCard: vi.fn(async () => current),
      editCustomer,
      checkCustomerEdit,
    });
    render(<App api={api} />);
    const input = await screen.findByRole("combobox");
    fireEvent.change(input, { target: { value: "W10000001" } });
    fireEvent.keyDown(input, { key: "Enter" });
    fireEvent.click(await screen.findByRole("button", { name: "Modifier la fiche" }));
    await screen.findByRole("heading", { level: 1, name: "Modifier la fiche de Hélène Dupré" });

    const email = screen.getByLabelText("E-mail principal") as HTMLInputElement;
    expect(email.value).toBe("helene.dupre@example.fr");
    expect((screen.getByLabelText("Téléphone principal") as HTMLInputElement).value).toBe("06 12 34 56 78");
    fireEvent.change(email, { target: { value: "h.dupre@example.org" } });
    fireEvent.keyDown(email, { key: "Enter" });

    await waitFor(() => expect(editCustomer).toHaveBeenCalledTimes(1));
    const [id, patch] = editCustomer.mock.calls[0] as unknown as [string, Record<string, unknown>];
    expect(id).toBe("c-lyon");
    // Only what the clerk touched: the phone left as it was is not sent.
    expect(patch).toEqual({ emails: ["h.dupre@example.org"] });
    // Back on the card, reloaded: the history line, in the store's time zone.
    const history = await screen.findByRole("region", { name: "Modifications de la fiche" });
    expect(history.textContent).toContain("E-mail modifié le 01/12/2026 à 10:42 par Marie Curie");
    expect(history.textContent).toContain("helene.dupre@example.fr → h.dupre@example.org");
  });
});
