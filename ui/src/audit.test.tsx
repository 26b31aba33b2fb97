// The audit log screen: managers reach it from their settings; it shows
// Rust's check of the chain, filters by kind and login, and pages.
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import type { Api } from "./api";
import { App } from "./App";
import type { AuditFilter } from "./bindings/AuditFilter";
import type { AuditLine } from "./bindings/AuditLine";
import type { AuditView } from "./bindings/AuditView";
import { appInfo, sessionOf, stubApi } from "./testData";

function line(seq: number, kind: string, label: string, actor: string): AuditLine {
  return {
    seq: BigInt(seq),
    at: "2026-12-01T10:00:00.000000Z",
    actor,
    kind,
    subject: actor,
    detail: { role: "clerk" },
    label,
  } as AuditLine;
}

function view(lines: AuditLine[], more: boolean, broken: string | null = null): AuditView {
  return {
    lines,
    more,
    kinds: [
      { code: "sign_in", label: "Connexion" },
      { code: "pin_failed", label: "Code erroné" },
    ],
    entries: 3n,
    broken,
  } as AuditView;
}

function managerApi(overrides: Partial<Api> = {}) {
  return stubApi({
    appInfo: vi.fn(async () => appInfo),
    currentSession: vi.fn(async () => sessionOf("manager")),
    touch: vi.fn(async () => sessionOf("manager")),
    users: vi.fn(async () => []),
    listPrinters: vi.fn(async () => []),
    syncStatus: vi.fn(async () => {
      throw { code: "not_enrolled", message: "Ce poste n'est pas encore relié au serveur central." };
    }),
    ...overrides,
  });
}

async function openAudit() {
  await waitFor(() => expect(document.getElementById("session-name")).toBeTruthy());
  fireEvent.click(document.getElementById("nav-settings")!);
  fireEvent.click(await screen.findByRole("button", { name: /Journal d'audit/ }));
  await screen.findByRole("heading", { name: /Journal d'audit/ });
}

describe("audit log", () => {
  it("shows the chain checked, filters by kind and login, and pages", async () => {
    const auditLog = vi.fn(async (f: AuditFilter) =>
      f.before === null
        ? view([line(3, "sign_in", "Connexion", "julie.m"), line(2, "pin_failed", "Code erroné", "julie.m")], true)
        : view([line(1, "sign_in", "Connexion", "sophie.r")], false),
    );
    render(<App api={managerApi({ auditLog })} />);
    await openAudit();
    await screen.findByText(/Chaîne vérifiée : 3 entrées intactes/);
    expect(document.querySelectorAll("#audit-rows tbody tr")).toHaveLength(2);
    fireEvent.click(screen.getByRole("button", { name: /Entrées plus anciennes/ }));
    await waitFor(() => expect(document.querySelectorAll("#audit-rows tbody tr")).toHaveLength(3));
    expect(Number(auditLog.mock.calls[1]![0].before)).toBe(2);
    expect(screen.queryByRole("button", { name: /Entrées plus anciennes/ })).toBeNull();

    fireEvent.change(document.getElementById("audit-kind")!, { target: { value: "pin_failed" } });
    fireEvent.change(document.getElementById("audit-actor")!, { target: { value: " julie.m " } });
    fireEvent.submit(document.getElementById("audit-apply")!.closest("form")!);
    await waitFor(() => expect(auditLog).toHaveBeenCalledTimes(3));
    expect(auditLog.mock.calls[2]![0]).toEqual({ kind: "pin_failed", actor: "julie.m", before: null, limit: 100 });
  });

  it("says which entry breaks the chain", async () => {
    const auditLog = vi.fn(async () =>
      view([], false, "Journal d'audit altéré à l'entrée n° 2 : son contenu a été modifié."),
    );
    render(<App api={managerApi({ auditLog })} />);
    await openAudit();
    const alert = await screen.findByText(/altéré à l'entrée n° 2/);
    expect(alert.closest("[role=alert]")).toBeTruthy();
    expect(screen.getByText("Aucune entrée.")).toBeTruthy();
  });
});
