// The manager's dashboard: only managers reach it (F4 or the top bar), it
// opens on the first period Rust offers, filters go to Rust as a query, a
// figure opens its dossiers and a dossier opens from there; a table is
// exported through Rust (which opens the save dialog) and the outcome said.
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import type { Api } from "./api";
import { App } from "./App";
import type { DashboardReport } from "./bindings/DashboardReport";
import type { DrillDown } from "./bindings/DrillDown";
import type { ReportChoices } from "./bindings/ReportChoices";
import type { ReportQuery } from "./bindings/ReportQuery";
import { barOption } from "./components/BarChart";
import { formatWorkingDuration } from "./format";
import { appInfo, detail, sessionOf, stubApi } from "./testData";

const choices: ReportChoices = {
  products: [{ key: "0190a000-0000-7000-8000-00000000000a", label: "CAF-1 · Cafetière Expresso (Moulinex)" }],
  brands: ["Moulinex"],
  categories: ["petit électroménager"],
  reasons: [{ key: "defect.no_power", label: "Ne s'allume plus" }],
  clerks: [{ key: "julie.m", label: "Julie Martin" }],
  channels: [{ key: "store", label: "Magasin" }],
  origins: [{ key: "store", label: "Au comptoir" }],
  periods: [
    { label: "30 derniers jours", from: "2026-11-02", to: "2026-12-01" },
    { label: "Ce mois-ci", from: "2026-12-01", to: "2026-12-01" },
  ],
};

function report(query: ReportQuery, opened: number): DashboardReport {
  return {
    query,
    generated_at: "2026-12-01T13:05:00Z",
    store_code: "LYO1",
    timezone: "Europe/Paris",
    backlog: { open: 7, on_time: 3, at_risk: 2, late: 2, without_deadline: 0 },
    period: { opened, open: 4, done: opened - 4, cancelled: 0, done_late: 1, done_on_time: opened - 5, open_late: 1, open_at_risk: 1 },
    first_response: { count: 10, median_seconds: 5400n, p90_seconds: 36000n },
    resolution: { count: 8, median_seconds: 90000n, p90_seconds: null },
    reasons: [{ key: "defect.no_power", label: "Ne s'allume plus", count: opened }],
    products: [
      {
        product_id: "0190a000-0000-7000-8000-00000000000a",
        sku: "CAF-1",
        name: "Cafetière Expresso",
        brand: "Moulinex",
        dossiers: opened,
        top_reason: { key: "defect.no_power", label: "Ne s'allume plus", count: opened },
        units_sold: null,
        per_thousand_units: null,
      },
    ],
    brands: [{ brand: "Moulinex", dossiers: opened, top_reason: { key: "defect.no_power", label: "Ne s'allume plus", count: opened } }],
    repeat_customers: { customers: 1, dossiers: 3, top: [{ customer_id: "c1", name: "Hélène Dupré", dossiers: 3 }] },
    gestures: { count: 2, cost: 4500, by_reason: [], by_clerk: [{ key: "julie.m", label: "julie.m", count: 2, cost: 4500 }] },
    decisions: [{ key: "legal", label: "Garantie légale", count: 5 }],
    approvals: [],
    csat: { responses: 4, asked: 8, response_rate: 0.5, average: 3.25, distribution: [1, 0, 1, 1, 1] },
    origins: [{ key: "store", label: "Au comptoir", count: opened }],
  };
}

function managerApi(overrides: Partial<Api> = {}) {
  return stubApi({
    appInfo: vi.fn(async () => appInfo),
    currentSession: vi.fn(async () => sessionOf("manager")),
    touch: vi.fn(async () => sessionOf("manager")),
    reportChoices: vi.fn(async () => choices),
    dashboard: vi.fn(async (q: ReportQuery) => report(q, q.filters.product_id ? 6 : 12)),
    ...overrides,
  });
}

async function signedIn() {
  await waitFor(() => expect(document.getElementById("session-name")).toBeTruthy());
}

async function openDashboard() {
  fireEvent.keyDown(window, { key: "F4" });
  await screen.findByRole("heading", { name: /Tableau de bord SAV/ });
}

describe("dashboard", () => {
  it("is not offered to a clerk, not even by F4", async () => {
    const api = stubApi({ appInfo: vi.fn(async () => appInfo) });
    render(<App api={api} />);
    await signedIn();
    expect(document.getElementById("nav-dashboard")).toBeNull();
    fireEvent.keyDown(window, { key: "F4" });
    expect(screen.queryByRole("heading", { name: /Tableau de bord SAV/ })).toBeNull();
    expect(api.dashboard).not.toHaveBeenCalled();
  });

  it("opens on Rust's first period, then sends the filters chosen as the query", async () => {
    const api = managerApi();
    render(<App api={api} />);
    await signedIn();
    await openDashboard();
    await waitFor(() => expect(api.dashboard).toHaveBeenCalledTimes(1));
    const first = vi.mocked(api.dashboard).mock.calls[0]![0];
    expect(first).toEqual({
      from: "2026-11-02",
      to: "2026-12-01",
      filters: { product_id: null, sku: null, brand: null, category: null, reason: null, channel: null, origin: null, clerk: null },
      scope: "store",
      units_sold: false,
    });
    const status = await screen.findByText(/12 dossiers ouverts/);
    expect(status.textContent).toContain("Du 02/11/2026 au 01/12/2026");
    expect(document.querySelector("#kpi-backlog-late .kpi-value")?.textContent).toBe("2");
    // Working hours as a person reads them.
    expect(within(document.getElementById("time-first-response")!).getByText("1 h 30")).toBeTruthy();
    expect(within(document.getElementById("time-resolution")!).getByText("—")).toBeTruthy();

    fireEvent.change(document.getElementById("filter-product")!, {
      target: { value: "0190a000-0000-7000-8000-00000000000a" },
    });
    fireEvent.submit(document.getElementById("dashboard-filters")!);
    await screen.findByText(/6 dossiers ouverts/);
    const second = vi.mocked(api.dashboard).mock.calls[1]![0];
    expect(second.filters.product_id).toBe("0190a000-0000-7000-8000-00000000000a");
    expect(second.from).toBe("2026-11-02");

    // A period in one click.
    fireEvent.click(screen.getByRole("button", { name: "Ce mois-ci" }));
    await waitFor(() => expect(api.dashboard).toHaveBeenCalledTimes(3));
    expect(vi.mocked(api.dashboard).mock.calls[2]![0].from).toBe("2026-12-01");
  });

  it("shows Rust's refusal of a period in French", async () => {
    const api = managerApi({
      dashboard: vi.fn(async () => {
        throw { code: "report_period_inverted", message: "Période impossible : elle se termine le 01/11/2026 avant de commencer le 30/11/2026." };
      }),
    });
    render(<App api={api} />);
    await signedIn();
    await openDashboard();
    const alert = await screen.findByText(/Période impossible/);
    expect(alert.closest("[role=alert]")).toBeTruthy();
  });

  it("opens a figure's dossiers, and a dossier from there", async () => {
    const drill: DrillDown = {
      figure: { figure: "backlog_late" },
      total: 2,
      truncated: false,
      rows: [
        {
          id: "d1",
          number: "SAV-LYO1-A-000041",
          customer_id: "c1",
          customer_name: "Hélène Dupré",
          product_name: "Cafetière Expresso",
          status: "diagnosed",
          status_label: "Diagnostiqué",
          is_open: true,
          assignee: null,
          opened_at: "2026-11-20T09:00:00Z",
          promised_at: "2026-11-24T17:00:00Z",
          deadline_status: "late",
          deadline_label: "En retard",
          follow_up_due: null,
        },
        {
          id: "d2",
          number: "SAV-LYO1-A-000042",
          customer_id: "c2",
          customer_name: "Marc Petit",
          product_name: null,
          status: "waiting_part",
          status_label: "Attente de pièce",
          is_open: true,
          assignee: null,
          opened_at: "2026-11-21T09:00:00Z",
          promised_at: "2026-11-25T17:00:00Z",
          deadline_status: "late",
          deadline_label: "En retard",
          follow_up_due: null,
        },
      ],
    };
    const api = managerApi({
      drillDown: vi.fn(async () => drill),
      dossierDetail: vi.fn(async () => detail({ id: "d2", number: "SAV-LYO1-A-000042" })),
      dossierPolicy: vi.fn(async () => {
        throw { code: "no_policy", message: "Aucune politique." };
      }),
    });
    render(<App api={api} />);
    await signedIn();
    await openDashboard();
    await screen.findByText(/12 dossiers ouverts/);
    fireEvent.click(document.getElementById("kpi-backlog-late")!);
    await screen.findByRole("heading", { name: /Dossiers en retard maintenant/ });
    expect(vi.mocked(api.drillDown).mock.calls[0]![1]).toEqual({ figure: "backlog_late" });
    const list = await screen.findByRole("listbox");
    await within(list).findByText("SAV-LYO1-A-000041");
    expect(screen.getByText("2 dossiers")).toBeTruthy();
    // ↓ then Enter opens the second.
    fireEvent.keyDown(list, { key: "ArrowDown" });
    fireEvent.keyDown(list, { key: "Enter" });
    await waitFor(() => expect(api.dossierDetail).toHaveBeenCalledWith("d2"));
    // Esc: back to the list, then to the dashboard.
    fireEvent.keyDown(window, { key: "Escape" });
    await screen.findByRole("heading", { name: /Dossiers en retard maintenant/ });
    fireEvent.keyDown(window, { key: "Escape" });
    await screen.findByRole("heading", { name: /Tableau de bord SAV/ });
  });

  it("exports a table through Rust with the chosen format, and says where or that nothing was written", async () => {
    const exportReport = vi
      .fn<Api["exportReport"]>()
      .mockResolvedValueOnce({ path: "/home/sophie/Documents/sav-motifs.csv", bytes: 120n, rows: 1 })
      .mockResolvedValueOnce(null)
      .mockRejectedValueOnce({ code: "export_not_written", message: "Export impossible dans /lecture-seule : permission refusée. Rien n'a été écrit." });
    const api = managerApi({ exportReport });
    render(<App api={api} />);
    await signedIn();
    await openDashboard();
    await screen.findByText(/12 dossiers ouverts/);
    fireEvent.change(document.getElementById("csv-separator")!, { target: { value: "comma" } });
    const button = document.querySelector<HTMLButtonElement>('[data-export="motifs"]')!;
    fireEvent.click(button);
    await screen.findByText(/Enregistré : \/home\/sophie\/Documents\/sav-motifs.csv \(1 ligne\)/);
    expect(exportReport.mock.calls[0]![1]).toEqual({ table: "motifs", figure: null, separator: "comma", bom: true });
    fireEvent.click(button);
    await screen.findByText(/Export annulé : rien n'a été écrit/);
    fireEvent.click(button);
    await screen.findByText(/Export impossible dans \/lecture-seule/);
  });
});

describe("charts", () => {
  it("label every bar and give each series its own pattern (readable without colour)", () => {
    const option = barOption({
      label: "x",
      categories: ["a", "b"],
      series: [
        { name: "s1", values: [1, 0] },
        { name: "s2", values: [2, 3] },
      ],
      stacked: true,
    }) as { aria: { decal: { show: boolean; decals: unknown[] } }; series: { label: { show: boolean; formatter(p: { value: number }): string } }[] };
    expect(option.aria.decal.show).toBe(true);
    expect(option.aria.decal.decals.length).toBeGreaterThanOrEqual(2);
    expect(option.series.every((s) => s.label.show)).toBe(true);
    expect(option.series[0]!.label.formatter({ value: 0 })).toBe("");
    expect(option.series[1]!.label.formatter({ value: 3 })).toBe("3");
  });

  it("durations in working hours", () => {
    expect(formatWorkingDuration(null)).toBe("—");
    expect(formatWorkingDuration(600)).toBe("10 min");
    expect(formatWorkingDuration(5400n)).toBe("1 h 30");
    expect(formatWorkingDuration(90000)).toBe("25 h 00");
  });
});
