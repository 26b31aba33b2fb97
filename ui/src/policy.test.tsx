// The return policy at the counter: the options Rust gives at intake and on a
// dossier, the clerk's choice, and a manager's approval when Rust asks for one.
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import type { Api } from "./api";
import { App } from "./App";
import type { DossierDetail } from "./bindings/DossierDetail";
import type { IntakeForm } from "./bindings/IntakeForm";
import type { OpenDossierInput } from "./bindings/OpenDossierInput";
import type { PolicyPreview } from "./bindings/PolicyPreview";
import { appInfo, card, decisionRecord, detail, intakeForm, managers, policyPreview, stubApi } from "./testData";

const info = appInfo;

const form: IntakeForm = intakeForm([
  { code: "change_of_mind", label: "Ne convient pas", promise_label: "Immédiat", conformity: false },
  { code: "defect.battery", label: "Batterie défectueuse", promise_label: "5 jours ouvrés", conformity: true },
]);

const APPROVAL_NEEDED = {
  code: "manager_approval_required",
  message: "Validation d'un responsable nécessaire : Avoir de 769,00 € : au-delà de ce qu'un conseiller accorde seul.",
};
const PIN_WRONG = { code: "pin_wrong", message: "Code incorrect. Il reste 4 essais avant le verrouillage." };

function counterApi(overrides: Partial<Api> = {}) {
  return stubApi({
    appInfo: vi.fn(async () => info),
    search: vi.fn(async (q: string) =>
      q.startsWith("SAV")
        ? { hits: [], direct: { kind: "dossier" as const, customer_id: "c-lyon", dossier_id: "d1", number: q }, more: false }
        : { hits: [], direct: { kind: "order" as const, customer_id: "c-lyon", order_id: "o1", number: q }, more: false },
    ),
    customerCard: vi.fn(async (id: string) => card(id, "Hélène Dupré")),
    intakeForm: vi.fn(async () => form),
    policyPreview: vi.fn(async () => policyPreview()),
    currentPolicy: vi.fn(async () => ({ id: "sav-unifie", version: "2026.1", effective_from: "2026-01-01" })),
    managers: vi.fn(async () => managers()),
    dossierDetail: vi.fn(async () => detail()),
    ...overrides,
  });
}

async function searchAndEnter(text: string) {
  const input = await screen.findByRole("combobox");
  fireEvent.change(input, { target: { value: text } });
  fireEvent.keyDown(input, { key: "Enter" });
}

async function openIntake() {
  await searchAndEnter("W10000001");
  fireEvent.click(await screen.findByRole("button", { name: /Ouvrir un dossier\s*pour Aspirateur robot J7/ }));
  await waitFor(() => expect(document.activeElement?.id).toBe("reason"));
}

function panel(): HTMLElement {
  const el = document.getElementById("policy-options");
  if (!el) throw new Error("no #policy-options");
  return el;
}

function radio(value: string): HTMLInputElement {
  const el = panel().querySelector<HTMLInputElement>(`input[name="policy-option"][value="${value}"]`);
  if (!el) throw new Error(`no option ${value}`);
  return el;
}

function optionRow(value: string): HTMLElement {
  const row = radio(value).closest<HTMLElement>(".policy-option");
  if (!row) throw new Error(`no row for ${value}`);
  return row;
}

/** The intake of a case that needs the policy's options, filled as a clerk would. */
async function fillIntake() {
  await openIntake();
  await waitFor(() => expect(panel().querySelectorAll('input[name="policy-option"]')).toHaveLength(8));
  fireEvent.change(screen.getByLabelText(/Les mots du client/), { target: { value: "Ne lui plaît pas." } });
}

function dialog(): HTMLElement {
  const el = document.getElementById("approval");
  if (!el) throw new Error("no #approval dialog");
  return el;
}

describe("policy panel at intake", () => {
  it("lists every option Rust gives, refused ones disabled with their reason", async () => {
    const api = counterApi();
    render(<App api={api} />);
    await openIntake();

    await within(panel()).findByText("Petit électroménager");
    expect(within(panel()).getByText("Politique sav-unifie 2026.1")).toBeTruthy();
    expect(within(panel()).getByRole("heading", { name: "Ce que permet la politique de retour" })).toBeTruthy();
    expect(api.policyPreview).toHaveBeenLastCalledWith({
      customer_id: "c-lyon",
      order_line_id: "l1",
      reason_code: "change_of_mind",
      condition: "good",
      sealed: false,
      severity: "major",
      defect_noticed_on: null,
    });

    const values = Array.from(panel().querySelectorAll<HTMLInputElement>('input[name="policy-option"]')).map(
      (r) => r.value,
    );
    expect(values).toEqual([
      "", "refund", "exchange", "credit_note", "repair", "replacement", "send_to_manufacturer", "refusal",
    ]);
    expect(radio("").checked).toBe(true);
    expect(optionRow("").textContent).toContain("Décider plus tard");

    for (const refused of ["refund", "exchange", "refusal"]) expect(radio(refused).disabled).toBe(true);
    for (const open of ["credit_note", "repair", "replacement", "send_to_manufacturer"]) {
      expect(radio(open).disabled).toBe(false);
    }
    // The clerk can still tell the customer why.
    expect(optionRow("exchange").querySelector(".option-explanation")?.textContent).toBe(
      "Le délai d'échange de 30 jours est dépassé.",
    );

    const credit = optionRow("credit_note");
    expect(credit.textContent).toContain("Avoir");
    expect(credit.textContent?.replace(/[\u202f\u00a0]/g, " ")).toContain("769,00 €");
    expect(credit.textContent).toContain("Un geste de l'enseigne");
    expect(within(credit).getByText(/Responsable requis/)).toBeTruthy();
    expect(within(optionRow("repair")).queryByText(/Responsable requis/)).toBeNull();
    expect(optionRow("repair").textContent).toContain("La loi · L217-9");
    expect(optionRow("send_to_manufacturer").textContent).toContain("La politique de l'enseigne");

    const hint = document.getElementById("gesture-hint")?.textContent?.replace(/[\u202f\u00a0]/g, " ");
    expect(hint).toContain("Barème : jusqu'à 50,00 € (sans validation d'un responsable : jusqu'à 20,00 €)");
  });

  it("asks again when the case changes, and drops an answer to an older case", async () => {
    let releaseOld: (p: PolicyPreview) => void = () => undefined;
    const older = new Promise<PolicyPreview>((resolve) => {
      releaseOld = resolve;
    });
    const stale: PolicyPreview = { decision: null, category_label: null, unavailable: "Réponse périmée", manager_options: [] };
    const fresh: PolicyPreview = {
      decision: null,
      category_label: null,
      unavailable: "Sans preuve d'achat, la politique ne peut pas être appliquée.",
      manager_options: [],
    };
    const policy = vi.fn((query: { sealed: boolean }) => (query.sealed ? Promise.resolve(fresh) : older));
    const api = counterApi({ policyPreview: policy });
    render(<App api={api} />);
    await openIntake();
    await waitFor(() => expect(policy).toHaveBeenCalledTimes(1));

    fireEvent.click(screen.getByLabelText("Emballage d'origine jamais ouvert"));
    fireEvent.change(screen.getByLabelText("Gêne pour le client"), { target: { value: "critical" } });
    await waitFor(() => expect(document.getElementById("policy-unavailable")?.textContent).toContain(fresh.unavailable));
    // Both changes within the debounce: one request for them.
    expect(policy).toHaveBeenCalledTimes(2);
    expect(policy).toHaveBeenLastCalledWith(expect.objectContaining({ sealed: true, severity: "critical" }));

    // The day the customer noticed the defect goes to Rust with the case.
    fireEvent.change(screen.getByLabelText("Défaut constaté le"), { target: { value: "2026-11-20" } });
    await waitFor(() => expect(policy).toHaveBeenCalledTimes(3));
    expect(policy).toHaveBeenLastCalledWith(expect.objectContaining({ defect_noticed_on: "2026-11-20" }));

    releaseOld(stale);
    await new Promise((r) => setTimeout(r, 20));
    expect(document.getElementById("policy-unavailable")?.textContent).toContain(fresh.unavailable);
    expect(screen.queryByText(/Réponse périmée/)).toBeNull();
    expect(panel().querySelectorAll('input[name="policy-option"]')).toHaveLength(0);
  });

  it("sends the chosen option with the dossier, and no decision for « Décider plus tard »", async () => {
    const api = counterApi({ openDossier: vi.fn(async () => detail()) });
    render(<App api={api} />);
    await fillIntake();

    fireEvent.click(radio("credit_note"));
    expect(radio("credit_note").checked).toBe(true);
    fireEvent.change(screen.getByLabelText("Geste commercial (€)"), { target: { value: "15" } });
    fireEvent.change(screen.getByLabelText("Note de la décision"), { target: { value: "  Avoir accepté par la cliente.  " } });
    fireEvent.click(screen.getByRole("button", { name: /Ouvrir le dossier/ }));
    await screen.findByRole("heading", { level: 1, name: "SAV-LYO1-2026-000001" });
    expect(api.openDossier).toHaveBeenCalledTimes(1);
    expect(api.openDossier).toHaveBeenCalledWith(
      expect.objectContaining({
        reason_code: "change_of_mind",
        customer_words: "Ne lui plaît pas.",
        sealed: false,
        severity: "major",
        decision: { resolution: "credit_note", gesture: 1500, note: "Avoir accepté par la cliente." },
        approval: null,
      }),
    );
  });

  it("sends decision null when the clerk decides later", async () => {
    const api = counterApi({ openDossier: vi.fn(async () => detail()) });
    render(<App api={api} />);
    await fillIntake();
    fireEvent.click(screen.getByLabelText("Emballage d'origine jamais ouvert"));
    fireEvent.change(screen.getByLabelText("Gêne pour le client"), { target: { value: "minor" } });
    // An option chosen, then « Décider plus tard » again: nothing is decided.
    fireEvent.click(radio("credit_note"));
    fireEvent.click(radio(""));
    fireEvent.click(screen.getByRole("button", { name: /Ouvrir le dossier/ }));
    await screen.findByRole("heading", { level: 1, name: "SAV-LYO1-2026-000001" });
    expect(api.openDossier).toHaveBeenCalledWith(
      expect.objectContaining({ decision: null, sealed: true, severity: "minor" }),
    );
  });

  it("refuses a gesture that is not an amount without calling Rust", async () => {
    const api = counterApi({ openDossier: vi.fn(async () => detail()) });
    render(<App api={api} />);
    await fillIntake();
    fireEvent.click(radio("repair"));
    fireEvent.change(screen.getByLabelText("Geste commercial (€)"), { target: { value: "vingt" } });
    fireEvent.click(screen.getByRole("button", { name: /Ouvrir le dossier/ }));
    await within(panel()).findByText(/saisissez un montant en euros/);
    expect(api.openDossier).not.toHaveBeenCalled();
  });
  it("without a ruling, offers the options a manager may take and sends the choice", async () => {
    const ruled = policyPreview();
    const managerOnly: PolicyPreview = {
      decision: null,
      category_label: null,
      unavailable: "Sans achat retrouvé, la politique ne propose pas de solution automatique.",
      manager_options: (ruled.decision?.options ?? []).map((o) => ({
        ...o,
        allowed: true,
        needs_manager: true,
        basis: "policy",
        basis_label: "La politique de l'enseigne",
        article: null,
        rule: "manager_decision",
        amount: null,
        explanation: "Sans achat retrouvé. Un responsable décide et en répond avec son code.",
      })),
    };
    const api = counterApi({
      policyPreview: vi.fn(async () => managerOnly),
      openDossier: vi.fn(async () => detail()),
    });
    render(<App api={api} />);
    await fillIntake();
    await waitFor(() => expect(document.getElementById("policy-unavailable")?.textContent).toContain("Sans achat"));
    expect(panel().querySelectorAll('input[name="policy-option"]')).toHaveLength(8);
    expect(within(optionRow("refund")).getByText(/Responsable requis/)).toBeTruthy();
    expect(screen.queryByLabelText("Geste commercial (€)")).toBeNull();
    fireEvent.click(radio("refund"));
    fireEvent.click(screen.getByRole("button", { name: /Ouvrir le dossier/ }));
    await waitFor(() => expect(api.openDossier).toHaveBeenCalledTimes(1));
    expect(api.openDossier).toHaveBeenCalledWith(
      expect.objectContaining({ decision: { resolution: "refund", gesture: null, note: null } }),
    );
  });
});

describe("manager approval at intake", () => {
  it("opens the dialog with Rust's reason, keeps it on a wrong PIN, and retries with the approval", async () => {
    const openDossier = vi
      .fn<(input: OpenDossierInput) => Promise<DossierDetail>>()
      .mockRejectedValueOnce(APPROVAL_NEEDED)
      .mockRejectedValueOnce(PIN_WRONG)
      .mockResolvedValueOnce(detail());
    const api = counterApi({ openDossier });
    render(<App api={api} />);
    await fillIntake();
    fireEvent.click(radio("credit_note"));
    fireEvent.click(screen.getByRole("button", { name: /Ouvrir le dossier/ }));

    await screen.findByRole("dialog");
    expect(dialog().getAttribute("aria-modal")).toBe("true");
    expect(document.getElementById("approval-reason")?.textContent).toBe(APPROVAL_NEEDED.message);
    const pin = document.getElementById("approval-pin") as HTMLInputElement;
    expect(pin.type).toBe("password");
    await waitFor(() => expect(document.activeElement).toBe(pin));
    const select = document.getElementById("approval-manager") as HTMLSelectElement;
    await waitFor(() => expect(select.options).toHaveLength(2));
    expect(select.value).toBe("sroux");
    expect(select.options[1]?.textContent).toBe("Paul Blanc (verrouillé)");

    // A wrong PIN: the message in the dialog, the field emptied, the focus kept.
    fireEvent.change(pin, { target: { value: "0000" } });
    fireEvent.click(document.getElementById("approval-submit") as HTMLButtonElement);
    await waitFor(() => expect(document.getElementById("approval-error")?.textContent).toContain(PIN_WRONG.message));
    expect(document.getElementById("approval-error")?.getAttribute("role")).toBe("alert");
    expect(screen.getByRole("dialog")).toBeTruthy();
    expect(pin.value).toBe("");
    expect(document.activeElement).toBe(pin);
    expect(screen.queryByRole("heading", { level: 1, name: "SAV-LYO1-2026-000001" })).toBeNull();

    // The right PIN, with Enter: the same request again with the approval.
    fireEvent.change(pin, { target: { value: "4321" } });
    fireEvent.keyDown(pin, { key: "Enter" });
    await screen.findByRole("heading", { level: 1, name: "SAV-LYO1-2026-000001" });
    expect(screen.queryByRole("dialog")).toBeNull();

    expect(openDossier).toHaveBeenCalledTimes(3);
    const [first, wrong, right] = openDossier.mock.calls.map((c) => c[0]);
    expect(first?.approval).toBeNull();
    expect(wrong?.approval).toEqual({ login: "sroux", pin: "0000" });
    expect(right?.approval).toEqual({ login: "sroux", pin: "4321" });
    expect({ ...right, approval: null }).toEqual(first);
    expect(right?.decision).toEqual({ resolution: "credit_note", gesture: null, note: null });
  });

  it("Esc closes the dialog, sends nothing more and keeps the form as typed", async () => {
    const openDossier = vi.fn(async () => {
      throw APPROVAL_NEEDED;
    });
    const api = counterApi({ openDossier });
    render(<App api={api} />);
    await fillIntake();
    fireEvent.click(radio("credit_note"));
    fireEvent.change(screen.getByLabelText(/N° de série lu/), { target: { value: "IR2609120456" } });
    const submit = screen.getByRole("button", { name: /Ouvrir le dossier/ });
    submit.focus();
    fireEvent.click(submit);
    const pin = (await screen.findByLabelText("Code du responsable")) as HTMLInputElement;
    await waitFor(() => expect(document.activeElement).toBe(pin));
    fireEvent.change(pin, { target: { value: "12" } });

    fireEvent.keyDown(pin, { key: "Escape" });
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    // Still on the intake, with everything typed, and ready to send again.
    expect(screen.getByRole("heading", { level: 1, name: /Nouveau dossier SAV/ })).toBeTruthy();
    expect((screen.getByLabelText(/Les mots du client/) as HTMLTextAreaElement).value).toBe("Ne lui plaît pas.");
    expect((screen.getByLabelText(/N° de série lu/) as HTMLInputElement).value).toBe("IR2609120456");
    expect(radio("credit_note").checked).toBe(true);
    expect(openDossier).toHaveBeenCalledTimes(1);
    expect((submit as HTMLButtonElement).disabled).toBe(false);
    // The keyboard is back where it was.
    expect(document.activeElement).toBe(submit);
  });

  it("shows another error after the approval next to the form, not in the dialog", async () => {
    const openDossier = vi
      .fn<(input: OpenDossierInput) => Promise<DossierDetail>>()
      .mockRejectedValueOnce(APPROVAL_NEEDED)
      .mockRejectedValueOnce({ code: "serial_mismatch", message: "Le numéro de série ne correspond pas." });
    render(<App api={counterApi({ openDossier })} />);
    await fillIntake();
    fireEvent.click(radio("credit_note"));
    fireEvent.click(screen.getByRole("button", { name: /Ouvrir le dossier/ }));
    const pin = await screen.findByLabelText("Code du responsable");
    await waitFor(() => expect((screen.getByLabelText("Responsable") as HTMLSelectElement).value).toBe("sroux"));
    fireEvent.change(pin, { target: { value: "4321" } });
    fireEvent.click(screen.getByRole("button", { name: /Valider/ }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(document.getElementById("serial-error")?.textContent).toContain("ne correspond pas");
  });
});

describe("decision on the dossier", () => {
  const decided = () =>
    detail({
      decision: decisionRecord(),
      events: [
        { id: "e1", at: "2026-11-23T09:00:00Z", actor: "Marie Curie", kind: "opened", summary: "Dossier ouvert", note: null },
        {
          id: "e2", at: "2026-11-23T09:05:00Z", actor: "Marie Curie", kind: "decision", summary: "Décision : Avoir",
          note: "Avoir de 769,00 € — Un geste de l'enseigne (règle change_of_mind.opened) — politique sav-unifie 2026.1",
        },
        {
          id: "e3", at: "2026-11-23T09:05:00Z", actor: "Sophie Roux", kind: "approval", summary: "Validation d'un responsable",
          note: "Validé par Sophie Roux (responsable) : Avoir de 769,00 € : au-delà de ce qu'un conseiller accorde seul.",
        },
      ],
    });

  it("shows the decision, who decided and who approved, and the timeline with its notes", async () => {
    render(<App api={counterApi({ dossierDetail: vi.fn(async () => decided()) })} />);
    await searchAndEnter("SAV-LYO1-2026-000001");
    const block = await waitFor(() => {
      const el = document.getElementById("decision");
      if (!el) throw new Error("no #decision");
      return el;
    });
    const text = block.textContent?.replace(/[\u202f\u00a0]/g, " ") ?? "";
    expect(text).toContain("Avoir 769,00 €");
    expect(text).toContain("Un geste de l'enseigne");
    expect(text).toContain("règle change_of_mind.opened");
    expect(text).toContain("Politique sav-unifie 2026.1");
    expect(text).toContain("Un geste de l'enseigne : avoir valable un an.");
    expect(text).toContain("Geste commercial : 20,00 €");
    expect(text).toContain("Décidé par Marie Curie");
    expect(text).toContain("Validé par Sophie Roux");
    expect(within(block).getByRole("button", { name: "Changer la décision" }).id).toBe("decide-button");

    const timeline = screen.getByRole("list", { name: /Historique du dossier/ });
    const approval = timeline.querySelector('li[data-kind="approval"]');
    expect(approval?.textContent).toContain("Validation d'un responsable");
    expect(approval?.textContent).toContain("Validé par Sophie Roux (responsable)");
    expect(timeline.querySelector('li[data-kind="decision"]')?.textContent).toContain("politique sav-unifie 2026.1");
  });

  it("has no decide button once the dossier is closed", async () => {
    const closed = detail({ is_open: false, can_decide: false, status: "closed", status_label: "Clos", allowed_actions: [] });
    render(<App api={counterApi({ dossierDetail: vi.fn(async () => closed) })} />);
    await searchAndEnter("SAV-LYO1-2026-000001");
    await screen.findByText("Aucune décision pour l'instant.");
    expect(document.getElementById("decide-button")).toBeNull();
  });

  it("still offers to decide after hand-back when Rust says so", async () => {
    const handedBack = detail({
      is_open: false,
      can_decide: true,
      status: "handed_back",
      status_label: "Restitué",
      allowed_actions: [],
    });
    render(
      <App api={counterApi({ dossierDetail: vi.fn(async () => handedBack), dossierPolicy: vi.fn(async () => policyPreview()) })} />,
    );
    await searchAndEnter("SAV-LYO1-2026-000001");
    const button = await screen.findByRole("button", { name: "Décider" });
    expect(button.id).toBe("decide-button");
    fireEvent.click(button);
    // The form opens with the dossier's options.
    expect(await screen.findByRole("button", { name: /Enregistrer la décision/ })).toBeTruthy();
    // The options come with the dossier's ruling, after the form itself.
    await waitFor(() =>
      expect(document.querySelectorAll('#decision input[name="policy-option"]').length).toBeGreaterThan(0),
    );
  });

  it("decides from the dossier's options, with a manager's approval when Rust asks", async () => {
    const decide = vi
      .fn<Api["decide"]>()
      .mockRejectedValueOnce(APPROVAL_NEEDED)
      .mockResolvedValueOnce(decided());
    const api = counterApi({ dossierPolicy: vi.fn(async () => policyPreview()), decide });
    render(<App api={api} />);
    await searchAndEnter("SAV-LYO1-2026-000001");
    fireEvent.click(await screen.findByRole("button", { name: "Décider" }));
    await waitFor(() => expect(panel().querySelectorAll('input[name="policy-option"]')).toHaveLength(7));
    expect(api.dossierPolicy).toHaveBeenCalledWith("d1");
    expect(radio("refund").disabled).toBe(true);

    fireEvent.click(radio("credit_note"));
    fireEvent.change(screen.getByLabelText("Geste commercial (€)"), { target: { value: "20" } });
    fireEvent.change(screen.getByLabelText("Note (facultatif)"), { target: { value: "Client fidèle" } });
    fireEvent.click(document.getElementById("decide-submit") as HTMLButtonElement);

    const pin = await screen.findByLabelText("Code du responsable");
    expect(document.getElementById("approval-reason")?.textContent).toBe(APPROVAL_NEEDED.message);
    await waitFor(() => expect((screen.getByLabelText("Responsable") as HTMLSelectElement).value).toBe("sroux"));
    fireEvent.change(pin, { target: { value: "4321" } });
    fireEvent.click(screen.getByRole("button", { name: /Valider/ }));

    await waitFor(() => expect(document.getElementById("decision")?.textContent).toContain("Validé par Sophie Roux"));
    expect(screen.queryByRole("dialog")).toBeNull();
    const choice = { resolution: "credit_note", gesture: 2000, note: "Client fidèle" };
    expect(decide.mock.calls).toEqual([
      ["d1", choice, null],
      ["d1", choice, { login: "sroux", pin: "4321" }],
    ]);
    expect(document.getElementById("decide-submit")).toBeNull();
  });

  it("shows Rust's refusal of a choice in the decide form", async () => {
    const decide = vi.fn(async () => {
      throw { code: "gesture_above_scale", message: "Le geste demandé (80,00 €) dépasse le barème." };
    });
    render(<App api={counterApi({ dossierPolicy: vi.fn(async () => policyPreview()), decide })} />);
    await searchAndEnter("SAV-LYO1-2026-000001");
    fireEvent.click(await screen.findByRole("button", { name: "Décider" }));
    await waitFor(() => expect(radio("repair")).toBeTruthy());
    fireEvent.click(radio("repair"));
    fireEvent.change(screen.getByLabelText("Geste commercial (€)"), { target: { value: "80" } });
    fireEvent.click(document.getElementById("decide-submit") as HTMLButtonElement);
    await waitFor(() => expect(document.getElementById("decide-error")?.textContent).toContain("dépasse le barème"));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect((screen.getByLabelText("Geste commercial (€)") as HTMLInputElement).value).toBe("80");
  });
});

describe("closure after a decision", () => {
  it("prefills the decided gesture and shows Rust's refusal of a bigger one", async () => {
    const closeDossier = vi.fn(async () => {
      throw { code: "gesture_not_decided", message: "Le geste commercial (30,00 €) dépasse celui décidé selon le barème (20,00 €)." };
    });
    const api = counterApi({
      dossierDetail: vi.fn(async () => detail({ decision: decisionRecord({ gesture: 2000 }) })),
      messageTemplates: vi.fn(async () => [{ code: "repaired", title: "Réparé", body: "Bonjour…" }]),
      closeDossier,
    });
    render(<App api={api} />);
    await searchAndEnter("SAV-LYO1-2026-000001");
    const amount = (await screen.findByLabelText("Montant (€)")) as HTMLInputElement;
    expect(amount.id).toBe("close-gesture-amount");
    expect(amount.value).toBe("20,00");
    expect((document.getElementById("close-with-gesture") as HTMLInputElement).checked).toBe(true);

    fireEvent.change(screen.getByLabelText(/Ce qui a été fait/), { target: { value: "Avoir remis" } });
    fireEvent.change(screen.getByLabelText("Nature du geste"), { target: { value: "Bon d'achat" } });
    fireEvent.change(amount, { target: { value: "30" } });
    fireEvent.click(screen.getByRole("button", { name: /Clôturer/ }));
    await waitFor(() =>
      expect(screen.getAllByRole("alert").some((a) => a.textContent?.includes("dépasse celui décidé"))).toBe(true),
    );
    expect(closeDossier).toHaveBeenCalledWith(
      "d1",
      expect.objectContaining({ gesture: { description: "Bon d'achat", amount: 3000 } }),
    );
  });
});
