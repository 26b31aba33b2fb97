// The counter's lists: mine, the store's open ones, late, to call back.
// ←/→ change the list, ↑/↓ choose a dossier, Enter opens it.
import { useEffect, useRef, useState, type KeyboardEvent } from "react";

import type { Api, CommandError } from "../api";
import { toCommandError } from "../api";
import type { DossierList } from "../bindings/DossierList";
import type { DossierSummary } from "../bindings/DossierSummary";
import { nextTab } from "../dossierForm";
import { plural, type Formatter } from "../format";
import { isNavKey, moveSelection } from "../listNav";
import { DeadlineBadge, StatusBadge } from "./DossierScreen";
import { AlertRegion } from "./AlertRegion";
import { Icon } from "./Icon";

export const LISTS: { list: DossierList; label: string }[] = [
  { list: "mine", label: "Mes dossiers" },
  { list: "store_open", label: "Ouverts du magasin" },
  { list: "late", label: "En retard" },
  { list: "to_follow_up", label: "À rappeler" },
];

interface Props {
  api: Api;
  fmt: Formatter;
  list: DossierList;
  onList(list: DossierList): void;
  onOpen(dossierId: string): void;
}

type Load = { list: DossierList; rows: DossierSummary[] | null; error: CommandError | null };

export function ListsScreen({ api, fmt, list, onList, onOpen }: Props) {
  const [load, setLoad] = useState<Load>({ list, rows: null, error: null });
  const [selected, setSelected] = useState(-1);
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const listRef = useRef<HTMLUListElement>(null);
  const current = LISTS.findIndex((l) => l.list === list);

  useEffect(() => {
    let live = true;
    setLoad({ list, rows: null, error: null });
    setSelected(-1);
    api.listDossiers(list).then(
      (rows) => {
        if (!live) return;
        setLoad({ list, rows, error: null });
        setSelected(rows.length > 0 ? 0 : -1);
      },
      (e) => live && setLoad({ list, rows: null, error: toCommandError(e) }),
    );
    return () => {
      live = false;
    };
  }, [api, list]);

  useEffect(() => {
    tabRefs.current[current]?.focus();
  }, [current]);

  useEffect(() => {
    listRef.current?.querySelector<HTMLElement>(`#row-${selected}`)?.scrollIntoView?.({ block: "nearest" });
  }, [selected]);

  const rows = load.rows ?? [];

  function onKeyDown(event: KeyboardEvent) {
    const tab = nextTab(current, event.key, LISTS.length);
    if (tab !== null && (event.key === "ArrowLeft" || event.key === "ArrowRight")) {
      event.preventDefault();
      onList(LISTS[tab]!.list);
    } else if (isNavKey(event.key)) {
      event.preventDefault();
      setSelected(moveSelection(selected, event.key, rows.length));
    } else if (event.key === "Enter" && selected >= 0 && rows[selected]) {
      event.preventDefault();
      onOpen(rows[selected].id);
    }
  }

  return (
    <main className="screen lists-screen" onKeyDown={onKeyDown} aria-labelledby="lists-title">
      <h1 id="lists-title">
        <Icon name="list" /> Dossiers SAV
      </h1>
      <div className="tabs" role="tablist" aria-label="Listes de dossiers">
        {LISTS.map((l, i) => (
          <button
            key={l.list}
            ref={(el) => {
              tabRefs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${l.list}`}
            aria-selected={l.list === list}
            aria-controls="dossier-rows"
            tabIndex={l.list === list ? 0 : -1}
            className={`tab${l.list === list ? " active" : ""}`}
            onClick={() => onList(l.list)}
          >
            {l.label}
          </button>
        ))}
      </div>
      <p className="muted keys-help">
        <kbd>←</kbd> <kbd>→</kbd> changer de liste · <kbd>↑</kbd> <kbd>↓</kbd> choisir ·{" "}
        <kbd>Entrée</kbd> ouvrir
      </p>
      <AlertRegion error={load.error} />
      <p className="search-status" role="status">
        {load.rows === null && !load.error ? "Chargement…" : null}
        {load.rows ? (load.rows.length === 0 ? "Aucun dossier dans cette liste." : plural(load.rows.length, "dossier", "dossiers")) : null}
      </p>
      <ul
        id="dossier-rows"
        className="rows"
        role="listbox"
        aria-labelledby={`tab-${list}`}
        aria-activedescendant={selected >= 0 ? `row-${selected}` : undefined}
        tabIndex={0}
        ref={listRef}
      >
        {rows.map((r, i) => (
          <DossierRow
            key={r.id}
            row={r}
            index={i}
            selected={i === selected}
            fmt={fmt}
            followUp={list === "to_follow_up"}
            onOpen={onOpen}
          />
        ))}
      </ul>
    </main>
  );
}

/** One dossier of a list (`role="option"` of its listbox); a click opens it. */
export function DossierRow({
  row: r,
  index,
  selected,
  fmt,
  followUp = false,
  openedAt = false,
  onOpen,
}: {
  row: DossierSummary;
  index: number;
  selected: boolean;
  fmt: Formatter;
  /** Say when to call back (the « À rappeler » list). */
  followUp?: boolean;
  /** Say when it was opened (the dashboard's lists). */
  openedAt?: boolean;
  onOpen(dossierId: string): void;
}) {
  return (
    <li
      id={`row-${index}`}
      role="option"
      aria-selected={selected}
      className={`row${selected ? " selected" : ""}`}
      data-dossier-number={r.number}
      onClick={() => onOpen(r.id)}
    >
      <span className="number">{r.number}</span>
      <span className="row-customer">{r.customer_name}</span>
      <span className="row-product">{r.product_name ?? "Produit non précisé"}</span>
      {/* The first three lists hold open dossiers only, « À rappeler » closed ones. */}
      <StatusBadge dossier={r} />
      <span className="row-deadline">
        {openedAt ? <>Ouvert le {fmt.date(r.opened_at)} · </> : null}
        {r.promised_at ? <>Promis le {fmt.dateTime(r.promised_at)}</> : null}
        {r.follow_up_due && followUp ? <>Rappeler le {fmt.date(r.follow_up_due)}</> : null}{" "}
        <DeadlineBadge status={r.deadline_status} label={r.deadline_label} />
      </span>
    </li>
  );
}
