import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import type { SyncView } from "./bindings/SyncView";
import { CentralServerView } from "./components/SettingsScreen";
import { SyncState as SyncIndicator } from "./components/SyncIndicator";
import { makeFormatter } from "./format";
import { stubApi } from "./testData";

const fmt = makeFormatter("Europe/Paris");

function view(overrides: Partial<SyncView["status"]> = {}, progress: Partial<SyncView> = {}): SyncView {
  return {
    status: {
      enrolled: true,
      activity: "offline",
      activity_label: "hors ligne",
      server_url: "https://sav.example.fr",
      device_id: "0193a000-0000-7000-8000-000000000001",
      store_code: "LYO1",
      cursor: "0-12",
      last_attempt_at: "2026-12-01T09:05:00Z",
      last_success_at: "2026-12-01T09:00:00Z",
      last_error_code: "offline",
      last_error: "Serveur central injoignable : le poste travaille hors ligne.",
      outbox: 1,
      received: 40,
      bootstrapped_at: null,
      rejected: [],
      ...overrides,
    },
    receiving: null,
    rate_per_s: null,
    more: false,
    bootstrap_total: null,
    bootstrap_done: null,
    seconds_left: null,
    ...progress,
  } as SyncView;
}

describe("sync in the top bar", () => {
  it("says offline by word and icon, counts what waits, and syncs on demand", async () => {
    const syncNow = vi.fn(async () => view({ activity: "syncing", activity_label: "synchronisation…" }));
    const onChanged = vi.fn();
    render(<SyncIndicator api={stubApi({ syncNow })} fmt={fmt} view={view()} onChanged={onChanged} />);
    const state = screen.getByRole("status");
    expect(state.textContent).toContain("hors ligne");
    expect(document.getElementById("sync-waiting")?.textContent).toBe("1 changement en attente");
    expect(screen.getByText("hors ligne").getAttribute("title")).toContain("Dernière synchronisation : 01/12/2026");
    fireEvent.click(screen.getByRole("button", { name: /Synchroniser maintenant/ }));
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    expect(syncNow).toHaveBeenCalledTimes(1);
  });

  it("counts thousands of changes waiting the French way, and the refused ones", () => {
    render(
      <SyncIndicator
        api={stubApi()}
        fmt={fmt}
        view={view({
          outbox: 5000,
          rejected: [
            {
              id: "r1",
              direction: "push",
              kind: "x",
              entity_id: "e1",
              code: "unknown_kind",
              reason: "?",
              rejected_at: "2026-12-01T09:01:00Z",
            },
          ],
        })}
        onChanged={() => {}}
      />,
    );
    expect(document.getElementById("sync-waiting")?.textContent).toMatch(/^5\s000 changements en attente$/);
    expect(screen.getByText(/changement refusé/).textContent?.trim()).toBe("1 changement refusé");
  });

  it("shows the bootstrap's progress while the server has more", () => {
    render(
      <SyncIndicator
        api={stubApi()}
        fmt={fmt}
        view={view({ activity: "syncing", activity_label: "synchronisation…", outbox: 0 }, { receiving: 12000, rate_per_s: 8450.2, more: true })}
        onChanged={() => {}}
      />,
    );
    expect(screen.getByLabelText("Réception des données du serveur")).toBeTruthy();
    expect(screen.getByRole("status").textContent).toMatch(/12\s000 reçus · 8\s450\/s/);
    expect(screen.getByRole("status").textContent).not.toContain("en attente");
  });

  it("shows the first load as a bar with its counts and the time left", () => {
    render(
      <SyncIndicator
        api={stubApi()}
        fmt={fmt}
        view={view(
          { activity: "syncing", activity_label: "synchronisation…", outbox: 0 },
          { receiving: 30000, rate_per_s: 10000, more: true, bootstrap_total: 120000, bootstrap_done: 30000, seconds_left: 540 },
        )}
        onChanged={() => {}}
      />,
    );
    const bar = screen.getByLabelText("Chargement initial des données du serveur") as HTMLProgressElement;
    expect(bar.value).toBe(30000);
    expect(bar.max).toBe(120000);
    const text = screen.getByRole("status").textContent ?? "";
    expect(text).toMatch(/Chargement initial : 30\s000 \/ 120\s000 · reste environ 9 min/);
    expect(screen.queryByLabelText("Réception des données du serveur")).toBeNull();
  });

  it("shows nothing on a counter not enrolled", () => {
    const { container } = render(
      <SyncIndicator api={stubApi()} fmt={fmt} view={view({ enrolled: false, activity: "not_enrolled" })} onChanged={() => {}} />,
    );
    expect(container.textContent).toBe("");
  });
});

describe("enrolment in the settings", () => {

  it("sends the address, the code and the name, and shows a refusal in French", async () => {
    const syncEnrol = vi.fn(async () => {
      throw { code: "enrol_code_used", message: "Le serveur central a refusé : code déjà utilisé." };
    });
    const api = stubApi({ syncEnrol, listPrinters: vi.fn(async () => []) });
    render(
      <CentralServerView api={api} sync={view({ enrolled: false })} onSync={() => {}} fmt={fmt} canEnrol />,
    );
    fireEvent.change(screen.getByLabelText("Adresse du serveur"), { target: { value: "https://sav.example.fr" } });
    fireEvent.change(screen.getByLabelText("Code d'enrôlement"), { target: { value: "ABCD-EFGH-JKLM" } });
    fireEvent.click(screen.getByRole("button", { name: "Relier ce poste au serveur" }));
    await screen.findByText(/code déjà utilisé/);
    expect(syncEnrol).toHaveBeenCalledWith("https://sav.example.fr", "ABCD-EFGH-JKLM", "Comptoir SAV");
  });

  it("offers no enrolment to a clerk: a manager links the counter", async () => {
    const syncEnrol = vi.fn();
    const api = stubApi({ syncEnrol, listPrinters: vi.fn(async () => []) });
    render(<CentralServerView api={api} sync={view({ enrolled: false })} onSync={() => {}} fmt={fmt} canEnrol={false} />);
    expect(screen.getByText(/Seul un responsable peut le relier/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Relier ce poste au serveur" })).toBeNull();
    expect(syncEnrol).not.toHaveBeenCalled();
  });

  it("once enrolled, shows the link and the changes refused", async () => {
    const api = stubApi({ listPrinters: vi.fn(async () => []) });
    render(
      <CentralServerView
        api={api}
        sync={view({
          rejected: [
            {
              id: "0193a000-0000-7000-8000-000000000009",
              direction: "push",
              kind: "dossier.teleported",
              entity_id: "0193a000-0000-7000-8000-000000000010",
              code: "unknown_kind",
              reason: "Type de changement inconnu du serveur.",
              rejected_at: "2026-12-01T09:01:00Z",
            },
          ],
        })}
        onSync={() => {}}
        fmt={fmt}
        canEnrol
      />,
    );
    expect(screen.getByText("https://sav.example.fr")).toBeTruthy();
    expect(screen.getByText(/refusé par le serveur : Type de changement inconnu/)).toBeTruthy();
    expect(screen.queryByLabelText("Code d'enrôlement")).toBeNull();
  });
});
