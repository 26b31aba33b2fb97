// The manager's dashboard (issue 11): the store's dossiers over a period,
// with filters. Every figure comes from Rust (`Store::dashboard`, the same
// code as `comptoir-ctl report`); this screen only lays them out. Each
// figure opens the list of its dossiers (a click, or Enter on its button),
// each table is saved as CSV through the system's save dialog.
import { useEffect, useState, type FormEvent, type ReactNode } from "react";

import type { Api, CommandError } from "../api";
import { toCommandError } from "../api";
import type { Basis } from "../bindings/Basis";
import type { DashboardReport } from "../bindings/DashboardReport";
import type { DossierOrigin } from "../bindings/DossierOrigin";
import type { DurationStats } from "../bindings/DurationStats";
import type { Figure } from "../bindings/Figure";
import type { GestureRow } from "../bindings/GestureRow";
import type { LabelledCount } from "../bindings/LabelledCount";
import type { ReportChoices } from "../bindings/ReportChoices";
import type { ReportFilters } from "../bindings/ReportFilters";
import type { ReportQuery } from "../bindings/ReportQuery";
import {
  formatCents,
  formatCount,
  formatDay,
  formatDecimal,
  formatRate,
  formatWorkingDuration,
  plural,
  type Formatter,
} from "../format";
import { AlertRegion } from "./AlertRegion";
import { BarChart } from "./BarChart";
import { ExportButton, useCsvPrefs, CsvPrefsField } from "./CsvExport";
import { Icon } from "./Icon";

/** A figure to open, with the title its list will carry. */
export interface FigurePick {
  figure: Figure;
  title: string;
}

interface Props {
  api: Api;
  fmt: Formatter;
  /** The report on screen; `null`: the first period Rust offers, no filter. */
  query: ReportQuery | null;
  onQuery(query: ReportQuery): void;
  onFigure(query: ReportQuery, pick: FigurePick): void;
}

const NO_FILTERS: ReportFilters = {
  product_id: null,
  sku: null,
  brand: null,
  category: null,
  reason: null,
  channel: null,
  origin: null,
  clerk: null,
};

type Load = { report: DashboardReport | null; error: CommandError | null; busy: boolean };

export function DashboardScreen({ api, fmt, query, onQuery, onFigure }: Props) {
  const [choices, setChoices] = useState<ReportChoices | null>(null);
  const [choicesError, setChoicesError] = useState<CommandError | null>(null);
  const [draft, setDraft] = useState<ReportQuery | null>(query);
  const [load, setLoad] = useState<Load>({ report: null, error: null, busy: false });
  const [prefs, setPrefs] = useCsvPrefs();

  useEffect(() => {
    let live = true;
    api.reportChoices().then(
      (c) => {
        if (!live) return;
        setChoices(c);
        const first = c.periods[0];
        if (!query && first) {
          const initial: ReportQuery = {
            from: first.from,
            to: first.to,
            filters: NO_FILTERS,
            scope: "store",
            units_sold: false,
          };
          setDraft(initial);
          onQuery(initial);
        }
      },
      (e) => live && setChoicesError(toCommandError(e)),
    );
    return () => {
      live = false;
    };
    // Once per screen: the choices do not change while it is open.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api]);

  useEffect(() => {
    if (!query) return;
    let live = true;
    setLoad((l) => ({ ...l, error: null, busy: true }));
    api.dashboard(query).then(
      (report) => live && setLoad({ report, error: null, busy: false }),
      (e) => live && setLoad({ report: null, error: toCommandError(e), busy: false }),
    );
    return () => {
      live = false;
    };
  }, [api, query]);

  function apply(event: FormEvent) {
    event.preventDefault();
    if (draft) onQuery(draft);
  }

  const report = load.report;
  const shown = report?.query ?? query;
  const open = (figure: Figure, title: string) => shown && onFigure(shown, { figure, title });

  return (
    <main className="screen dashboard-screen" aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">
        <Icon name="chart" /> Tableau de bord SAV
      </h1>
      <AlertRegion error={choicesError} />
      {draft ? (
        <Filters
          draft={draft}
          choices={choices}
          onChange={setDraft}
          onSubmit={apply}
          onPeriod={(from, to) => {
            const next = { ...draft, from, to };
            setDraft(next);
            onQuery(next);
          }}
          onReset={() => {
            const next = { ...draft, filters: NO_FILTERS, scope: "store" as const };
            setDraft(next);
            onQuery(next);
          }}
        />
      ) : null}
      <div className="dash-csv">
        <CsvPrefsField prefs={prefs} onChange={setPrefs} />
      </div>
      <AlertRegion error={load.error} />
      <p className="search-status" role="status" id="dashboard-status">
        {load.busy ? "Calcul des chiffres…" : null}
        {!load.busy && report ? (
          <>
            Du {formatDay(report.query.from)} au {formatDay(report.query.to)} ·{" "}
            {plural(report.period.opened, "dossier ouvert", "dossiers ouverts")}
            {report.period.opened === 0 ? " : aucun dossier sur cette période avec ces filtres" : ""} · calculé
            le {fmt.dateTime(report.generated_at)}
          </>
        ) : null}
      </p>
      {report && shown ? (
        <Figures report={report} query={shown} api={api} prefs={prefs} open={open} />
      ) : null}
    </main>
  );
}

function Filters({
  draft,
  choices,
  onChange,
  onSubmit,
  onPeriod,
  onReset,
}: {
  draft: ReportQuery;
  choices: ReportChoices | null;
  onChange(q: ReportQuery): void;
  onSubmit(e: FormEvent): void;
  onPeriod(from: string, to: string): void;
  onReset(): void;
}) {
  const set = (patch: Partial<ReportFilters>) => onChange({ ...draft, filters: { ...draft.filters, ...patch } });
  const value = (v: string) => (v === "" ? null : v);
  const options = (items: { key: string; label: string }[] | undefined) =>
    (items ?? []).map((i) => (
      <option key={i.key} value={i.key}>
        {i.label}
      </option>
    ));
  const f = draft.filters;
  return (
    <form id="dashboard-filters" className="dash-filters" onSubmit={onSubmit}>
      <fieldset className="dash-period">
        <legend>Période (dossiers ouverts)</legend>
        <label>
          Du{" "}
          <input
            type="date"
            id="filter-from"
            value={draft.from}
            onChange={(e) => onChange({ ...draft, from: e.target.value })}
            required
          />
        </label>
        <label>
          au{" "}
          <input
            type="date"
            id="filter-to"
            value={draft.to}
            onChange={(e) => onChange({ ...draft, to: e.target.value })}
            required
          />
        </label>
        <span className="dash-periods">
          {(choices?.periods ?? []).map((p) => (
            <button
              type="button"
              key={p.label}
              className={`button small chip${p.from === draft.from && p.to === draft.to ? " active" : ""}`}
              onClick={() => onPeriod(p.from, p.to)}
            >
              {p.label}
            </button>
          ))}
        </span>
      </fieldset>
      <fieldset className="dash-filter-fields">
        <legend>Filtres</legend>
        <label>
          Produit
          <select id="filter-product" value={f.product_id ?? ""} onChange={(e) => set({ product_id: value(e.target.value) })}>
            <option value="">Tous</option>
            {options(choices?.products)}
          </select>
        </label>
        <label>
          Marque
          <select id="filter-brand" value={f.brand ?? ""} onChange={(e) => set({ brand: value(e.target.value) })}>
            <option value="">Toutes</option>
            {options(choices?.brands.map((b) => ({ key: b, label: b })))}
          </select>
        </label>
        <label>
          Catégorie
          <select id="filter-category" value={f.category ?? ""} onChange={(e) => set({ category: value(e.target.value) })}>
            <option value="">Toutes</option>
            {options(choices?.categories.map((c) => ({ key: c, label: c })))}
          </select>
        </label>
        <label>
          Motif
          <select id="filter-reason" value={f.reason ?? ""} onChange={(e) => set({ reason: value(e.target.value) })}>
            <option value="">Tous</option>
            {options(choices?.reasons)}
          </select>
        </label>
        <label>
          Canal d'achat
          <select
            id="filter-channel"
            value={f.channel ?? ""}
            onChange={(e) => set({ channel: value(e.target.value) as ReportFilters["channel"] })}
          >
            <option value="">Tous</option>
            {options(choices?.channels)}
          </select>
        </label>
        <label>
          Ouvert
          <select
            id="filter-origin"
            value={f.origin ?? ""}
            onChange={(e) => set({ origin: value(e.target.value) as ReportFilters["origin"] })}
          >
            <option value="">Partout</option>
            {options(choices?.origins)}
          </select>
        </label>
        <label>
          Conseiller
          <select id="filter-clerk" value={f.clerk ?? ""} onChange={(e) => set({ clerk: value(e.target.value) })}>
            <option value="">Tous</option>
            {options(choices?.clerks)}
          </select>
        </label>
        <label>
          Magasins
          <select
            id="filter-scope"
            value={draft.scope}
            onChange={(e) => onChange({ ...draft, scope: e.target.value as ReportQuery["scope"] })}
          >
            <option value="store">Ce magasin et les dossiers en ligne</option>
            <option value="chain">Toute l'enseigne</option>
          </select>
        </label>
      </fieldset>
      <div className="dash-actions">
        <button type="submit" className="button primary" id="dashboard-apply">
          Afficher <kbd>Entrée</kbd>
        </button>
        <button type="button" className="button" id="dashboard-reset" onClick={onReset}>
          Effacer les filtres
        </button>
      </div>
    </form>
  );
}

interface FiguresProps {
  report: DashboardReport;
  query: ReportQuery;
  api: Api;
  prefs: ReturnType<typeof useCsvPrefs>[0];
  open(figure: Figure, title: string): void;
}

function Figures({ report, query, api, prefs, open }: FiguresProps) {
  const exportOf = (table: string) => <ExportButton api={api} query={query} table={table} prefs={prefs} />;
  const b = report.backlog;
  const p = report.period;
  const csat = report.csat;
  return (
    <div className="dash-grid">
      <Section id="now" title="Maintenant : dossiers ouverts, quelle que soit leur date" wide>
        <div className="kpis">
          <Kpi id="kpi-backlog-open" label="Ouverts" value={b.open} onOpen={() => open({ figure: "backlog_open" }, "Dossiers ouverts maintenant")} />
          <Kpi
            id="kpi-backlog-late"
            label="En retard"
            value={b.late}
            tone="alert"
            onOpen={() => open({ figure: "backlog_late" }, "Dossiers en retard maintenant")}
          />
          <Kpi
            id="kpi-backlog-at-risk"
            label="À risque"
            value={b.at_risk}
            tone="warn"
            onOpen={() => open({ figure: "backlog_at_risk" }, "Dossiers à risque maintenant")}
          />
          <Kpi id="kpi-backlog-on-time" label="Dans les délais" value={b.on_time} />
          <Kpi id="kpi-backlog-no-deadline" label="Sans délai promis" value={b.without_deadline} />
        </div>
      </Section>

      <Section id="period" title="Sur la période" actions={exportOf("synthese")} wide>
        <div className="kpis">
          <Kpi id="kpi-opened" label="Ouverts" value={p.opened} onOpen={() => open({ figure: "opened" }, "Dossiers ouverts sur la période")} />
          <Kpi
            id="kpi-still-open"
            label="Encore ouverts"
            value={p.open}
            onOpen={() => open({ figure: "still_open" }, "Dossiers de la période encore ouverts")}
          />
          <Kpi id="kpi-done" label="Terminés" value={p.done} />
          <Kpi id="kpi-done-on-time" label="Terminés à temps" value={p.done_on_time} />
          <Kpi
            id="kpi-done-late"
            label="Terminés en retard"
            value={p.done_late}
            tone="alert"
            onOpen={() => open({ figure: "done_late" }, "Dossiers de la période terminés en retard")}
          />
          <Kpi id="kpi-cancelled" label="Annulés" value={p.cancelled} />
        </div>
        <BarChart
          label="Dossiers de la période selon leur délai"
          categories={["Dossiers de la période"]}
          stacked
          series={[
            { name: "Terminés à temps", values: [p.done_on_time] },
            { name: "Terminés en retard", values: [p.done_late] },
            { name: "Encore ouverts", values: [p.open] },
            { name: "Annulés", values: [p.cancelled] },
          ]}
        />
      </Section>

      <Section id="times" title="Délais, en heures ouvrées du magasin">
        <table className="dash-table" id="times-table">
          <thead>
            <tr>
              <th scope="col">Mesure</th>
              <th scope="col">Médiane</th>
              <th scope="col">90 % en moins de</th>
              <th scope="col">Dossiers</th>
            </tr>
          </thead>
          <tbody>
            <DurationRow id="time-first-response" label="Première réponse" stats={report.first_response} />
            <DurationRow id="time-resolution" label="Résolution (hors attente du client)" stats={report.resolution} />
          </tbody>
        </table>
      </Section>

      <Section id="origins" title="Où les dossiers sont ouverts" actions={exportOf("origines")}>
        <CountsChart
          label="Dossiers par lieu d'ouverture"
          rows={report.origins}
          tableId="origins-table"
          keyHeader="Ouvert"
          onOpen={(r) => open({ figure: "origin", key: r.key as DossierOrigin }, `Dossiers ouverts : ${r.label}`)}
        />
      </Section>

      <Section id="reasons" title="Motifs les plus fréquents" actions={exportOf("motifs")}>
        <CountsChart
          label="Dossiers par motif"
          rows={report.reasons}
          tableId="reasons-table"
          keyHeader="Motif"
          onOpen={(r) => open({ figure: "reason", key: r.key }, `Motif : ${r.label}`)}
        />
      </Section>

      <Section id="products" title="Produits qui reviennent" actions={exportOf("produits")} wide>
        <table className="dash-table" id="products-table">
          <thead>
            <tr>
              <th scope="col">Produit</th>
              <th scope="col">Marque</th>
              <th scope="col">Dossiers</th>
              <th scope="col">Motif principal</th>
              {query.units_sold ? <th scope="col">Pour 1 000 vendus</th> : null}
            </tr>
          </thead>
          <tbody>
            {report.products.map((r) => (
              <tr key={r.product_id} data-key={r.product_id}>
                <th scope="row">
                  <button
                    type="button"
                    className="button link"
                    onClick={() => open({ figure: "product", key: r.product_id }, `Produit : ${r.name} (${r.sku})`)}
                  >
                    {r.name}
                  </button>{" "}
                  <span className="muted">{r.sku}</span>
                </th>
                <td>{r.brand}</td>
                <td className="num">{formatCount(r.dossiers)}</td>
                <td>
                  {r.top_reason.label} ({formatCount(r.top_reason.count)})
                </td>
                {query.units_sold ? <td className="num">{formatDecimal(r.per_thousand_units)}</td> : null}
              </tr>
            ))}
          </tbody>
        </table>
        <Empty rows={report.products} />
      </Section>

      <Section id="brands" title="Marques" actions={exportOf("marques")}>
        <table className="dash-table" id="brands-table">
          <thead>
            <tr>
              <th scope="col">Marque</th>
              <th scope="col">Dossiers</th>
              <th scope="col">Motif principal</th>
            </tr>
          </thead>
          <tbody>
            {report.brands.map((r) => (
              <tr key={r.brand} data-key={r.brand}>
                <th scope="row">
                  <button type="button" className="button link" onClick={() => open({ figure: "brand", key: r.brand }, `Marque : ${r.brand}`)}>
                    {r.brand}
                  </button>
                </th>
                <td className="num">{formatCount(r.dossiers)}</td>
                <td>{r.top_reason.label}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <Empty rows={report.brands} />
      </Section>

      <Section id="repeat" title="Clients récurrents (2 dossiers ou plus sur la période)" actions={exportOf("clients_recurrents")}>
        <p>
          <button
            type="button"
            className="button link"
            id="repeat-all"
            onClick={() => open({ figure: "repeat_customers" }, "Dossiers des clients récurrents")}
          >
            {plural(report.repeat_customers.customers, "client", "clients")} ·{" "}
            {plural(report.repeat_customers.dossiers, "dossier", "dossiers")}
          </button>
        </p>
        <table className="dash-table" id="repeat-table">
          <thead>
            <tr>
              <th scope="col">Client</th>
              <th scope="col">Dossiers</th>
            </tr>
          </thead>
          <tbody>
            {report.repeat_customers.top.map((r) => (
              <tr key={r.customer_id} data-key={r.customer_id}>
                <th scope="row">
                  <button
                    type="button"
                    className="button link"
                    onClick={() => open({ figure: "customer", key: r.customer_id }, `Client : ${r.name}`)}
                  >
                    {r.name}
                  </button>
                </th>
                <td className="num">{formatCount(r.dossiers)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>

      <Section
        id="gestures"
        title="Gestes commerciaux"
        actions={
          <>
            {exportOf("gestes_par_motif")}
            {exportOf("gestes_par_conseiller")}
          </>
        }
        wide
      >
        <p>
          <button type="button" className="button link" id="gestures-all" onClick={() => open({ figure: "gestures" }, "Dossiers avec un geste commercial")}>
            {plural(report.gestures.count, "geste", "gestes")} · {formatCents(report.gestures.cost)}
          </button>
        </p>
        <div className="dash-pair">
          <GestureTable id="gestures-by-reason" header="Motif" rows={report.gestures.by_reason} />
          <GestureTable id="gestures-by-clerk" header="Conseiller" rows={report.gestures.by_clerk} />
        </div>
      </Section>

      <Section id="decisions" title="Décisions par fondement" actions={exportOf("decisions")}>
        <CountsChart
          label="Décisions par fondement"
          rows={report.decisions}
          tableId="decisions-table"
          keyHeader="Fondement"
          onOpen={(r) => open({ figure: "basis", key: r.key as Basis }, `Décisions : ${r.label}`)}
        />
      </Section>

      <Section id="approvals" title="Validations du responsable" actions={exportOf("validations")}>
        <p>
          <button type="button" className="button link" id="approvals-all" onClick={() => open({ figure: "approvals" }, "Décisions validées par un responsable")}>
            {plural(
              report.approvals.reduce((n, r) => n + r.count, 0),
              "décision validée",
              "décisions validées",
            )}
          </button>
        </p>
        <table className="dash-table" id="approvals-table">
          <thead>
            <tr>
              <th scope="col">Responsable</th>
              <th scope="col">Validations</th>
            </tr>
          </thead>
          <tbody>
            {report.approvals.map((r) => (
              <tr key={r.key} data-key={r.key}>
                <th scope="row">{r.label}</th>
                <td className="num">{formatCount(r.count)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>

      <Section id="csat" title="Satisfaction après SAV" actions={exportOf("satisfaction")} wide>
        <div className="kpis">
          <Kpi id="kpi-csat-average" label="Note moyenne (sur 5)" text={formatDecimal(csat.average)} />
          <Kpi id="kpi-csat-responses" label="Réponses" value={csat.responses} />
          <Kpi id="kpi-csat-rate" label="Taux de réponse" text={formatRate(csat.response_rate)} />
        </div>
        <CountsChart
          label="Réponses par note"
          rows={csat.distribution.map((n, i) => ({ key: String(i + 1), label: `${i + 1} sur 5`, count: n }))}
          tableId="csat-table"
          keyHeader="Note"
          onOpen={(r) => open({ figure: "csat", key: Number(r.key) }, `Note de satisfaction : ${r.label}`)}
        />
      </Section>
    </div>
  );
}

function Section({
  id,
  title,
  actions,
  wide,
  children,
}: {
  id: string;
  title: string;
  actions?: ReactNode;
  wide?: boolean;
  children: ReactNode;
}) {
  return (
    <section className={`dash-section${wide ? " wide" : ""}`} id={`section-${id}`} aria-labelledby={`title-${id}`}>
      <header className="dash-section-head">
        <h2 id={`title-${id}`}>{title}</h2>
        {actions ? <span className="dash-section-actions">{actions}</span> : null}
      </header>
      {children}
    </section>
  );
}

function Kpi({
  id,
  label,
  value,
  text,
  tone,
  onOpen,
}: {
  id: string;
  label: string;
  value?: number;
  text?: string;
  tone?: "alert" | "warn";
  onOpen?(): void;
}) {
  const shown = text ?? formatCount(value ?? 0);
  const body = (
    <>
      <span className="kpi-value" data-value={value ?? text}>
        {shown}
      </span>
      <span className="kpi-label">
        {tone === "alert" ? <Icon name="alert" /> : null} {label}
      </span>
    </>
  );
  return onOpen ? (
    <button type="button" className={`kpi kpi-button${tone ? ` kpi-${tone}` : ""}`} id={id} onClick={onOpen} title="Voir les dossiers">
      {body}
    </button>
  ) : (
    <div className={`kpi${tone ? ` kpi-${tone}` : ""}`} id={id}>
      {body}
    </div>
  );
}

function DurationRow({ id, label, stats }: { id: string; label: string; stats: DurationStats }) {
  return (
    <tr id={id}>
      <th scope="row">{label}</th>
      <td className="num">{formatWorkingDuration(stats.median_seconds)}</td>
      <td className="num">{formatWorkingDuration(stats.p90_seconds)}</td>
      <td className="num">{formatCount(stats.count)}</td>
    </tr>
  );
}

/** A bar chart and, beside it, the same counts as a table whose rows open their dossiers. */
function CountsChart({
  label,
  rows,
  tableId,
  keyHeader,
  onOpen,
}: {
  label: string;
  rows: LabelledCount[];
  tableId: string;
  keyHeader: string;
  onOpen(row: LabelledCount): void;
}) {
  return (
    <div className="dash-chart">
      {rows.length > 0 ? (
        <BarChart
          label={label}
          categories={rows.map((r) => r.label)}
          series={[{ name: "Dossiers", values: rows.map((r) => r.count) }]}
          onPick={(i) => {
            const row = rows[i];
            if (row) onOpen(row);
          }}
        />
      ) : null}
      <table className="dash-table" id={tableId}>
        <thead>
          <tr>
            <th scope="col">{keyHeader}</th>
            <th scope="col">Dossiers</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-key={r.key}>
              <th scope="row">
                <button type="button" className="button link" disabled={r.count === 0} onClick={() => onOpen(r)}>
                  {r.label}
                </button>
              </th>
              <td className="num" data-count={r.count}>
                {formatCount(r.count)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Empty rows={rows} />
    </div>
  );
}

function GestureTable({ id, header, rows }: { id: string; header: string; rows: GestureRow[] }) {
  return (
    <table className="dash-table" id={id}>
      <thead>
        <tr>
          <th scope="col">{header}</th>
          <th scope="col">Gestes</th>
          <th scope="col">Coût</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} data-key={r.key}>
            <th scope="row">{r.label}</th>
            <td className="num">{formatCount(r.count)}</td>
            <td className="num">{formatCents(r.cost)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Empty({ rows }: { rows: unknown[] }) {
  return rows.length === 0 ? <p className="muted">Rien sur cette période.</p> : null;
}
