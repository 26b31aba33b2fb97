// The audit log, for managers: newest first, filtered by kind and by who
// acted, with Rust's check of the whole hash chain each time it is read
// (an altered or missing entry is named). Nothing here can change it.
import { useEffect, useState, type FormEvent } from "react";

import type { Api, CommandError } from "../api";
import { toCommandError } from "../api";
import type { AuditFilter } from "../bindings/AuditFilter";
import type { AuditLine } from "../bindings/AuditLine";
import type { AuditView } from "../bindings/AuditView";
import { formatCount, type Formatter } from "../format";
import { AlertRegion } from "./AlertRegion";
import { Icon } from "./Icon";

const PAGE = 100;

type Load = { view: AuditView | null; lines: AuditLine[]; error: CommandError | null };

export function AuditScreen({ api, fmt }: { api: Api; fmt: Formatter }) {
  const [kind, setKind] = useState("");
  const [actor, setActor] = useState("");
  const [filter, setFilter] = useState<AuditFilter>({ kind: null, actor: null, before: null, limit: PAGE });
  const [load, setLoad] = useState<Load>({ view: null, lines: [], error: null });

  useEffect(() => {
    let live = true;
    api.auditLog(filter).then(
      (view) =>
        live &&
        setLoad((l) => ({
          view,
          // The next page adds to the lines shown; a new filter starts afresh.
          lines: filter.before === null ? view.lines : [...l.lines, ...view.lines],
          error: null,
        })),
      (e) => live && setLoad((l) => ({ ...l, error: toCommandError(e) })),
    );
    return () => {
      live = false;
    };
  }, [api, filter]);

  function apply(event: FormEvent) {
    event.preventDefault();
    setFilter({ kind: kind || null, actor: actor.trim() || null, before: null, limit: PAGE });
  }

  const view = load.view;
  const last = load.lines[load.lines.length - 1];
  return (
    <main className="screen audit-screen" aria-labelledby="audit-title">
      <h1 id="audit-title">
        <Icon name="lock" /> Journal d'audit
      </h1>
      <p className="muted">
        Connexions, codes erronés, blocages, validations, réglages, exports et effacements. Le journal ne peut être
        ni modifié ni effacé ; chaque entrée est liée à la précédente, et la chaîne est vérifiée à chaque lecture.
      </p>
      {view ? (
        view.broken ? (
          <p className="alert" role="alert" id="audit-check">
            <Icon name="alert" /> {view.broken}
          </p>
        ) : (
          <p className="audit-ok" role="status" id="audit-check">
            <Icon name="yes" /> Chaîne vérifiée : {formatCount(view.entries)} entrées intactes.
          </p>
        )
      ) : null}
      <form className="dash-filters audit-filters" onSubmit={apply}>
        <fieldset className="dash-filter-fields">
          <legend>Filtrer</legend>
          <label>
            Événement
            <select id="audit-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
              <option value="">Tous</option>
              {(view?.kinds ?? []).map((k) => (
                <option key={k.code} value={k.code}>
                  {k.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Identifiant de la personne
            <input id="audit-actor" value={actor} onChange={(e) => setActor(e.target.value)} placeholder="ex. julie.m" />
          </label>
          <button type="submit" className="button primary" id="audit-apply">
            Afficher <kbd>Entrée</kbd>
          </button>
        </fieldset>
      </form>
      <AlertRegion error={load.error} />
      <table className="dash-table audit-table" id="audit-rows">
        <thead>
          <tr>
            <th scope="col">N°</th>
            <th scope="col">Quand</th>
            <th scope="col">Qui</th>
            <th scope="col">Événement</th>
            <th scope="col">Sur</th>
            <th scope="col">Détails</th>
          </tr>
        </thead>
        <tbody>
          {load.lines.map((l) => (
            <tr key={l.seq} data-kind={l.kind} data-seq={l.seq}>
              <td className="num">{l.seq}</td>
              <td>{fmt.dateTime(l.at)}</td>
              <td>{l.actor}</td>
              <td>{l.label}</td>
              <td>{l.subject}</td>
              <td className="audit-detail">{details(l.detail)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {view && load.lines.length === 0 ? <p className="muted">Aucune entrée.</p> : null}
      {view?.more && last ? (
        <button
          type="button"
          className="button"
          id="audit-more"
          onClick={() => setFilter({ ...filter, before: last.seq })}
        >
          Entrées plus anciennes
        </button>
      ) : null}
    </main>
  );
}

/** The entry's details as « key : value » (display only). */
function details(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k} : ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(" · ");
}
