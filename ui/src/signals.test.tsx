// Weak signals on the card and as a list, the follow-up queue and its
// outcomes, the manager's thresholds and a customer's confirmed erasure:
// what Rust says is shown, what is chosen is sent.
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import type { Api } from "./api";
import { App } from "./App";
import type { FollowUpItem } from "./bindings/FollowUpItem";
import type { SignalThresholds } from "./bindings/SignalThresholds";
import type { WeakSignal } from "./bindings/WeakSignal";
import { appInfo, card, response, hit, sessionOf, stubApi } from "./testData";

const repeat: WeakSignal = {
  kind: "repeat_customer",
  kind_label: "Client récurrent",
  sentence: "3 dossiers en 30 jours : SAV-LYO1-2026-000010, SAV-LYO1-2026-000011, SAV-LYO1-2026-000012.",
  target: { type: "customer", customer_id: "c1" },
  customer_id: "c1",
  customer_name: "Hélène Dupré",
  since: "2026-11-20T09:00:00Z",
} as WeakSignal;

const late: WeakSignal = {
  kind: "late",
  kind_label: "En retard",
  sentence: "Le dossier SAV-LYO1-2026-000012 a dépassé son délai promis du 28/11/2026.",
  target: { type: "dossier", dossier_id: "d12", number: "SAV-LYO1-2026-000012" },
  customer_id: "c1",
  customer_name: "Hélène Dupré",
  since: "2026-11-28T17:00:00Z",
} as WeakSignal;

const thresholds = {
  repeat_dossiers: 3n,
  repeat_days: 30n,
  high_value_cents: 150000n,
  low_score_max: 2n,
  jump_percent: 200n,
  jump_min_dossiers: 3n,
} as SignalThresholds;

function api(role: "clerk" | "manager", overrides: Partial<Api> = {}) {
  return stubApi({
    appInfo: vi.fn(async () => appInfo),
    currentSession: vi.fn(async () => sessionOf(role)),
    touch: vi.fn(async () => sessionOf(role)),
    search: vi.fn(async () => response([hit("c1", "Hélène Dupré", "Lyon", "69003")])),
    customerCard: vi.fn(async (id: string) => card(id, "Hélène Dupré")),
    customerSignals: vi.fn(async () => [late, repeat]),
    ...overrides,
  });
}

async function openCard() {
  const input = await screen.findByRole("combobox");
  fireEvent.change(input, { target: { value: "helene" } });
  await screen.findByText("Lyon (69003)");
  fireEvent.keyDown(input, { key: "ArrowDown" });
  fireEvent.keyDown(input, { key: "Enter" });
  await screen.findByRole("heading", { name: /Hélène Dupré/, level: 1 });
}

describe("weak signals", () => {
  it("the card says why in Rust's words and opens the dossier a signal is about", async () => {
    const a = api("clerk", { dossierDetail: vi.fn(async () => { throw { code: "x", message: "y" }; }) });
    render(<App api={a} />);
    await openCard();
    const panel = await screen.findByRole("region", { name: /Signaux faibles \(2\)/ });
    expect(within(panel).getByText(/3 dossiers en 30 jours/)).toBeTruthy();
    expect(a.customerSignals).toHaveBeenCalledWith("c1");
    fireEvent.click(within(panel).getByRole("button", { name: "Ouvrir SAV-LYO1-2026-000012" }));
    await waitFor(() => expect(a.dossierDetail).toHaveBeenCalledWith("d12"));
    // No RGPD actions for a clerk.
    expect(document.getElementById("erase-customer")).toBeNull();
  });

  it("a manager's erasure needs the explicit yes, and Rust's refusal is shown", async () => {
    const eraseCustomer = vi
      .fn<Api["eraseCustomer"]>()
      .mockRejectedValueOnce({ code: "erasure_open_dossier", message: "Effacement refusé : un dossier de ce client est encore ouvert (SAV-LYO1-2026-000012)." })
      .mockResolvedValueOnce({
        customer_id: "c1",
        erased_at: "2026-12-02T10:00:00Z",
        erased_by: "sophie.r",
        orders_kept: 3,
        dossiers_kept: 4,
        events_redacted: 9,
        contacts_removed: 2,
        corrections_removed: 0,
      } as never);
    // Once erased, the card read again says so.
    const customerCard = vi.fn(async (id: string) => ({
      ...card(id, "Hélène Dupré"),
      erased_at: eraseCustomer.mock.results.some((r) => r.type === "return" && r.value !== undefined)
        ? "2026-12-02T10:00:00Z"
        : null,
    }));
    const a = api("manager", { eraseCustomer, customerCard });
    render(<App api={a} />);
    await openCard();
    expect(screen.getAllByRole("button", { name: /Ouvrir un dossier/ }).length).toBeGreaterThan(0);
    fireEvent.click(await screen.findByRole("button", { name: /Effacer ce client/ }));
    const confirm = screen.getByRole("button", { name: "Effacer définitivement" }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    fireEvent.click(screen.getByLabelText(/l'effacement ne peut pas être annulé/));
    expect(confirm.disabled).toBe(false);
    fireEvent.click(confirm);
    await screen.findByText(/encore ouvert \(SAV-LYO1-2026-000012\)/);
    expect(eraseCustomer).toHaveBeenCalledWith("c1", true);
    fireEvent.click(screen.getByRole("button", { name: "Effacer définitivement" }));
    await screen.findByText(/Client effacé. Gardés sans identité : 3 achats, 4 dossiers/);
    // Nothing left to export or erase: the panel says so instead of offering it.
    await screen.findByText(/Client effacé à sa demande le 02\/12\/2026/);
    expect(document.getElementById("erase-customer")).toBeNull();
    expect(document.getElementById("export-customer-pdf")).toBeNull();
    // Kept for the records, written to no more: no edit, no new dossier.
    expect(document.getElementById("edit-customer")).toBeNull();
    expect(document.getElementById("intake-without-proof")).toBeNull();
    expect(screen.queryAllByRole("button", { name: /Ouvrir un dossier/ })).toEqual([]);
  });

  it("the manager's thresholds go to Rust as numbers (euros in cents) and its refusal is shown", async () => {
    const setSignalThresholds = vi
      .fn<Api["setSignalThresholds"]>()
      .mockRejectedValueOnce({ code: "signal_threshold_out_of_range", message: "Seuil « dossiers » refusé (0) : il doit être supérieur à zéro." })
      .mockImplementationOnce(async (t) => t);
    const a = api("manager", {
      users: vi.fn(async () => []),
      listPrinters: vi.fn(async () => []),
      signalThresholds: vi.fn(async () => thresholds),
      setSignalThresholds,
    });
    render(<App api={a} />);
    await waitFor(() => expect(document.getElementById("session-name")).toBeTruthy());
    fireEvent.click(document.getElementById("nav-settings")!);
    const first = (await screen.findByLabelText("Client récurrent : dossiers")) as HTMLInputElement;
    expect(first.value).toBe("3");
    expect((screen.getByLabelText(/forte valeur/) as HTMLInputElement).value).toBe("1500");
    fireEvent.change(first, { target: { value: "0" } });
    fireEvent.click(screen.getByRole("button", { name: "Enregistrer les seuils" }));
    await screen.findByText(/doit être supérieur à zéro/);
    expect(Number(setSignalThresholds.mock.calls[0]![0].repeat_dossiers)).toBe(0);
    fireEvent.change(first, { target: { value: "5" } });
    fireEvent.change(screen.getByLabelText(/forte valeur/), { target: { value: "2 000" } });
    fireEvent.click(screen.getByRole("button", { name: "Enregistrer les seuils" }));
    await screen.findByText("Seuils enregistrés.");
    const sent = setSignalThresholds.mock.calls[1]![0];
    expect(Number(sent.repeat_dossiers)).toBe(5);
    expect(Number(sent.high_value_cents)).toBe(200000);
  });
});

describe("follow-up queue", () => {
  it("records each outcome with its note and reloads the queue", async () => {
    const item = {
      dossier_id: "d7",
      number: "SAV-LYO1-2026-000007",
      customer_id: "c1",
      customer_name: "Hélène Dupré",
      phone: "06 71 23 45 98",
      email: null,
      product_name: "Cafetière",
      reason: "after_closure",
      reason_label: "Suivi après clôture",
      due_at: "2026-11-30T08:00:00Z",
      closed_at: "2026-11-27T16:00:00Z",
      csat_score: null,
      no_answers: 0,
      why: "Dossier clos le 27/11/2026 : appeler pour savoir si tout va bien.",
    } as FollowUpItem;
    const followUpQueue = vi.fn<Api["followUpQueue"]>().mockResolvedValueOnce([item]).mockResolvedValue([]);
    const recordFollowUp = vi.fn<Api["recordFollowUp"]>(async () => ({
      reason: "after_closure",
      note: "Ravie",
      next_call_at: "2026-12-09T08:00:00Z",
    }) as never);
    const a = api("clerk", { followUpQueue, recordFollowUp });
    render(<App api={a} />);
    await waitFor(() => expect(document.getElementById("session-name")).toBeTruthy());
    fireEvent.click(document.getElementById("nav-follow-up")!);
    await screen.findByText("06 71 23 45 98");
    expect(screen.getByText(/appeler pour savoir si tout va bien/)).toBeTruthy();
    const row = document.querySelector<HTMLElement>('[data-dossier-number="SAV-LYO1-2026-000007"]')!;
    const callBack = within(row).getByRole("button", { name: "Rappeler à cette date" }) as HTMLButtonElement;
    expect(callBack.disabled).toBe(true);
    fireEvent.change(within(row).getByLabelText("Note"), { target: { value: " Ravie " } });
    fireEvent.change(within(row).getByLabelText("Rappeler le"), { target: { value: "2026-12-09" } });
    fireEvent.click(callBack);
    await screen.findByText(/SAV-LYO1-2026-000007 : appel enregistré, à rappeler le 09\/12\/2026/);
    expect(recordFollowUp).toHaveBeenCalledWith("d7", { outcome: "call_back", on: "2026-12-09" }, "Ravie");
    await waitFor(() => expect(followUpQueue).toHaveBeenCalledTimes(2));
  });
});
