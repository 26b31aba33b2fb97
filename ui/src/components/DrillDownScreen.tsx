// The dossiers behind one figure of the dashboard, oldest first: ↑/↓
// choose, Enter opens the dossier, Esc goes back to the dashboard. The
// whole list (not only the rows on screen) is saved as CSV.
import { useEffect, useRef, useState, type KeyboardEvent } from "react";

import type { Api, CommandError } from "../api";
import { toCommandError } from "../api";
import type { DrillDown } from "../bindings/DrillDown";
import type { ReportQuery } from "../bindings/ReportQuery";
import { formatCount, formatDay, plural, type Formatter } from "../format";
import { isNavKey, moveSelection } from "../listNav";
import { AlertRegion } from "./AlertRegion";
import { CsvPrefsField, ExportButton, useCsvPrefs } from "./CsvExport";
import type { FigurePick } from "./DashboardScreen";
import { Icon } from "./Icon";
import { DossierRow } from "./ListsScreen";

interface Props {
  api: Api;
  fmt: Formatter;
  query: ReportQuery;
  pick: FigurePick;
  onOpen(dossierId: string): void;
}

type Load = { list: DrillDown | null; error: CommandError | null };

export function DrillDownScreen({ api, fmt, query, pick, onOpen }: Props) {
  const [load, setLoad] = useState<Load>({ list: null, error: null });
  const [selected, setSelected] = useState(-1);
  const [prefs, setPrefs] = useCsvPrefs();
  const listRef = useRef<HTMLUListElement>(null);

  useEffect(() => {
    let live = true;
    api.drillDown(query, pick.figure).then(
      (list) => {
        if (!live) return;
        setLoad({ list, error: null });
        setSelected(list.rows.length > 0 ? 0 : -1);
        listRef.current?.focus();
      },
      (e) => live && setLoad({ list: null, error: toCommandError(e) }),
    );
    return () => {
      live = false;
    };
  }, [api, query, pick.figure]);

  useEffect(() => {
    listRef.current?.querySelector<HTMLElement>(`#row-${selected}`)?.scrollIntoView?.({ block: "nearest" });
  }, [selected]);

  const rows = load.list?.rows ?? [];
  function onKeyDown(event: KeyboardEvent) {
    if (isNavKey(event.key)) {
      event.preventDefault();
      setSelected(moveSelection(selected, event.key, rows.length));
    } else if (event.key === "Enter" && selected >= 0 && rows[selected]) {
      event.preventDefault();
      onOpen(rows[selected].id);
    }
  }

  const list = load.list;
  return (
    <main className="screen lists-screen drill-screen" aria-labelledby="drill-title">
      <h1 id="drill-title">
        <Icon name="list" /> {pick.title}
      </h1>
      <p className="muted">
        Dossiers ouverts du {formatDay(query.from)} au {formatDay(query.to)}, avec les filtres du tableau de bord ·{" "}
        <kbd>↑</kbd> <kbd>↓</kbd> choisir · <kbd>Entrée</kbd> ouvrir · <kbd>Échap</kbd> retour au tableau de bord
      </p>
      <div className="dash-csv">
        <CsvPrefsField prefs={prefs} onChange={setPrefs} />{" "}
        <ExportButton api={api} query={query} table="dossiers" figure={pick.figure} prefs={prefs} />
      </div>
      <AlertRegion error={load.error} />
      <p className="search-status" role="status" id="drill-status" data-total={list?.total}>
        {list === null && !load.error ? "Chargement…" : null}
        {list
          ? list.total === 0
            ? "Aucun dossier."
            : list.truncated
              ? `${formatCount(list.total)} dossiers : les ${formatCount(list.rows.length)} premiers ci-dessous (l'export CSV les contient tous).`
              : plural(list.total, "dossier", "dossiers")
          : null}
      </p>
      <ul
        id="drill-rows"
        className="rows"
        role="listbox"
        aria-labelledby="drill-title"
        aria-activedescendant={selected >= 0 ? `row-${selected}` : undefined}
        tabIndex={0}
        ref={listRef}
        onKeyDown={onKeyDown}
      >
        {rows.map((r, i) => (
          <DossierRow key={r.id} row={r} index={i} selected={i === selected} fmt={fmt} openedAt onOpen={onOpen} />
        ))}
      </ul>
    </main>
  );
}
