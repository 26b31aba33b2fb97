import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import type { Api } from "./api";
import { App } from "./App";
import type { IntakeForm } from "./bindings/IntakeForm";
import { appInfo, card, detail, hit, intakeForm, stubApi } from "./testData";

const info = appInfo;

const form: IntakeForm = intakeForm([
  { code: "defect.no_power", label: "Ne s'allume plus", promise_label: "48 heures ouvrées", conformity: true },
  { code: "defect.battery", label: "Batterie défectueuse", promise_label: "5 jours ouvrés", conformity: true },
]);

function counterApi(overrides: Partial<Api> = {}) {
  return stubApi({
    appInfo: vi.fn(async () => info),
    search: vi.fn(async (q: string) =>
      q.startsWith("SAV")
        ? { hits: [], direct: { kind: "dossier" as const, customer_id: "c-lyon", dossier_id: "d1", number: q }, more: false }
        : { hits: [hit("c-lyon", "Hélène Dupré", "Lyon", "69002")], direct: { kind: "order" as const, customer_id: "c-lyon", order_id: "o1", number: q }, more: false },
    ),
    customerCard: vi.fn(async (id: string) => card(id, "Hélène Dupré")),
    intakeForm: vi.fn(async () => form),
    dossierDetail: vi.fn(async () => detail()),
    ...overrides,
  });
}

async function searchAndEnter(text: string) {
  const input = await screen.findByRole("combobox");
  fireEvent.change(input, { target: { value: text } });
  fireEvent.keyDown(input, { key: "Enter" });
}

async function openIntakeFromTheWebOrder() {
  await searchAndEnter("W10000001");
  const button = await screen.findByRole("button", { name: /Ouvrir un dossier\s*pour Aspirateur robot J7/ });
  fireEvent.click(button);
  await screen.findByRole("heading", { level: 1, name: /Nouveau dossier SAV/ });
  // The form's first field gets the focus once the reasons are there.
  await waitFor(() => expect(document.activeElement?.id).toBe("reason"));
}

describe("intake", () => {
  it("shows the purchased line, the promise, and records with Ctrl+Enter", async () => {
    const api = counterApi({ openDossier: vi.fn(async () => detail()) });
    render(<App api={api} />);
    await openIntakeFromTheWebOrder();

    expect(screen.getByText("Aspirateur robot J7")).toBeTruthy();
    expect(screen.getAllByText(/IR2609120456/).length).toBeGreaterThan(0);
    expect(screen.getByRole("option", { name: "Ne s'allume plus — 48 heures ouvrées" })).toBeTruthy();

    fireEvent.change(screen.getByLabelText(/Motif/), { target: { value: "defect.battery" } });
    fireEvent.change(screen.getByLabelText(/Les mots du client/), { target: { value: "Il ne tient plus la charge." } });
    expect(document.getElementById("words-count")?.textContent).toBe("27 / 2\u202f000 caractères");
    const accessory = screen.getByLabelText(/Accessoires laissés au comptoir/);
    fireEvent.change(accessory, { target: { value: "Chargeur" } });
    fireEvent.keyDown(accessory, { key: "Enter" });
    expect(within(screen.getByRole("list", { name: "Accessoires laissés" })).getByText("Chargeur")).toBeTruthy();
    const serial = screen.getByLabelText(/N° de série lu/);
    fireEvent.change(serial, { target: { value: "IR2609120456" } });

    fireEvent.keyDown(serial, { key: "Enter", ctrlKey: true });
    await screen.findByRole("heading", { level: 1, name: "SAV-LYO1-2026-000001" });
    expect(api.openDossier).toHaveBeenCalledWith(
      expect.objectContaining({
        customer_id: "c-lyon",
        order_line_id: "l1",
        reason_code: "defect.battery",
        customer_words: "Il ne tient plus la charge.",
        condition: "good",
        accessories: ["Chargeur"],
        serial_number: "IR2609120456",
      }),
    );
    // Esc from the new dossier goes back to the card, not to the form.
    fireEvent.keyDown(window, { key: "Escape" });
    await screen.findByRole("heading", { level: 1, name: /Hélène Dupré/ });
  });

  it("shows a serial mismatch next to the field and keeps what was typed", async () => {
    const message = "Le numéro de série « XX1 » ne correspond pas à celui de l'achat (IR2609120456).";
    const api = counterApi({
      openDossier: vi.fn(async () => {
        throw { code: "serial_mismatch", message };
      }),
    });
    render(<App api={api} />);
    await openIntakeFromTheWebOrder();
    fireEvent.change(screen.getByLabelText(/Les mots du client/), { target: { value: "Plus de son." } });
    fireEvent.change(screen.getByLabelText(/N° de série lu/), { target: { value: "XX1" } });
    fireEvent.click(screen.getByRole("button", { name: /Ouvrir le dossier/ }));

    const error = await screen.findByText(message);
    expect(error.closest("#serial-error")).toBeTruthy();
    expect(screen.getByLabelText(/N° de série lu/).getAttribute("aria-invalid")).toBe("true");
    expect((screen.getByLabelText(/Les mots du client/) as HTMLTextAreaElement).value).toBe("Plus de son.");
    expect((screen.getByLabelText(/N° de série lu/) as HTMLInputElement).value).toBe("XX1");
  });

  it("shows other errors in the alert region", async () => {
    const api = counterApi({
      openDossier: vi.fn(async () => {
        throw { code: "session_locked", message: "Session de Marie Curie verrouillée." };
      }),
    });
    render(<App api={api} />);
    await openIntakeFromTheWebOrder();
    fireEvent.click(screen.getByRole("button", { name: /Ouvrir le dossier/ }));
    await waitFor(() =>
      expect(screen.getAllByRole("alert").some((a) => a.textContent?.includes("Session de Marie Curie verrouillée"))).toBe(true),
    );
  });
});

describe("dossier screen", () => {
  it("opens from a typed dossier number, shows the deadline in words and prints", async () => {
    const api = counterApi({
      printDossier: vi.fn(async () => ({
        pdf_path: "/tmp/tickets/SAV-LYO1-2026-000001-intake-a4.pdf",
        printed_on: null,
        job_id: null,
      })),
    });
    render(<App api={api} />);
    await searchAndEnter("SAV-LYO1-2026-000001");
    await screen.findByRole("heading", { level: 1, name: "SAV-LYO1-2026-000001" });
    expect(api.dossierDetail).toHaveBeenCalledWith("d1");
    expect(document.getElementById("dossier-status")?.textContent).toContain("Ouvert");
    expect(document.getElementById("deadline")?.textContent).toContain("Promis pour le 27/11/2026 à 18:00");
    expect(screen.getByText("Dans les temps")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Diagnostiquer" })).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "A4" }));
    await screen.findByText("/tmp/tickets/SAV-LYO1-2026-000001-intake-a4.pdf");
    expect(api.printDossier).toHaveBeenCalledWith("d1", "intake", "a4");
    expect(screen.getByText(/PDF seulement/)).toBeTruthy();
  });

  it("closes with the cost read in euros and shows the closing message", async () => {
    const closed = detail({
      status: "closed",
      status_label: "Clos",
      is_open: false,
      can_decide: false,
      can_assign: false,
      can_record_satisfaction: true,
      allowed_actions: [],
    });
    const api = counterApi({
      messageTemplates: vi.fn(async () => [{ code: "repaired", title: "Réparé", body: "Bonjour {client}…" }]),
      closeDossier: vi.fn(async () => ({ message: "Bonjour Mme Hélène Dupré, c'est réparé.", detail: closed })),
    });
    render(<App api={api} />);
    await searchAndEnter("SAV-LYO1-2026-000001");
    await screen.findByText("Bonjour {client}…");
    fireEvent.change(screen.getByLabelText(/Ce qui a été fait/), { target: { value: "Batterie remplacée" } });
    fireEvent.change(screen.getByLabelText(/Pièces/), { target: { value: "Batterie\nVis" } });
    fireEvent.change(screen.getByLabelText(/Coût pour l'enseigne/), { target: { value: "12,50" } });
    fireEvent.click(screen.getByRole("button", { name: /Clôturer/ }));

    await screen.findByText("Bonjour Mme Hélène Dupré, c'est réparé.");
    expect(api.closeDossier).toHaveBeenCalledWith("d1", {
      summary: "Batterie remplacée",
      parts: ["Batterie", "Vis"],
      cost: 1250,
      gesture: null,
      template: "repaired",
    });
    // Closed: satisfaction can be recorded, as Rust says.
    expect(screen.getByRole("group", { name: "Note de satisfaction" })).toBeTruthy();
  });

  it("refuses a cost that is not an amount, without calling Rust", async () => {
    const api = counterApi({
      messageTemplates: vi.fn(async () => [{ code: "repaired", title: "Réparé", body: "…" }]),
      closeDossier: vi.fn(),
    });
    render(<App api={api} />);
    await searchAndEnter("SAV-LYO1-2026-000001");
    await screen.findByLabelText(/Coût pour l'enseigne/);
    fireEvent.change(screen.getByLabelText(/Coût pour l'enseigne/), { target: { value: "douze" } });
    fireEvent.click(screen.getByRole("button", { name: /Clôturer/ }));
    await screen.findByText(/saisissez un montant en euros/);
    expect(api.closeDossier).not.toHaveBeenCalled();
  });
});

describe("lists", () => {
  it("F3 shows the lists; arrows change the list and Enter opens a dossier", async () => {
    const row = {
      id: "d1",
      number: "SAV-LYO1-2026-000001",
      customer_id: "c-lyon",
      customer_name: "Mme Hélène Dupré",
      product_name: "Aspirateur robot J7",
      status: "opened" as const,
      status_label: "Ouvert",
      is_open: true,
      assignee: null,
      opened_at: "2026-11-23T09:00:00Z",
      promised_at: "2026-11-27T17:00:00Z",
      deadline_status: "late" as const,
      deadline_label: "En retard",
      follow_up_due: null,
    };
    const api = counterApi({ listDossiers: vi.fn(async () => [row]) });
    render(<App api={api} />);
    await screen.findByRole("combobox");
    // F3 again until the lists show: the app's key handler is attached once
    // its first render has settled (F3 twice is the same screen).
    const tab = await waitFor(() => {
      fireEvent.keyDown(window, { key: "F3" });
      return screen.getByRole("tab", { name: "Ouverts du magasin" });
    });
    await waitFor(() => expect(document.activeElement).toBe(tab));
    expect(api.listDossiers).toHaveBeenCalledWith("store_open");

    fireEvent.keyDown(tab, { key: "ArrowRight" });
    await waitFor(() => expect(api.listDossiers).toHaveBeenCalledWith("late"));
    const late = await screen.findByRole("tab", { name: "En retard" });
    expect(late.getAttribute("aria-selected")).toBe("true");
    const option = await screen.findByRole("option", { name: /SAV-LYO1-2026-000001/ });
    expect(option.getAttribute("aria-selected")).toBe("true");
    expect(within(option).getByText("En retard")).toBeTruthy();

    fireEvent.keyDown(late, { key: "Enter" });
    await screen.findByRole("heading", { level: 1, name: "SAV-LYO1-2026-000001" });
  });
});
