// Saving a dashboard table as CSV: the manager picks the format once (a
// French Excel wants `;` and decimal commas; a byte-order mark makes
// spreadsheet programs read the accents), then each table's button asks
// Rust, which opens the system's save dialog and writes the file whole.
import { useState } from "react";

import type { Api } from "../api";
import { toCommandError } from "../api";
import type { CsvSeparator } from "../bindings/CsvSeparator";
import type { Figure } from "../bindings/Figure";
import type { ReportQuery } from "../bindings/ReportQuery";
import { plural } from "../format";
import { Icon } from "./Icon";

export interface CsvPrefs {
  separator: CsvSeparator;
  bom: boolean;
}

const KEY = "comptoir.csv";
const DEFAULT_PREFS: CsvPrefs = { separator: "semicolon", bom: true };

function readPrefs(): CsvPrefs {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? "null") as Partial<CsvPrefs> | null;
    if (saved && (saved.separator === "comma" || saved.separator === "semicolon")) {
      return { separator: saved.separator, bom: saved.bom !== false };
    }
  } catch {
    // A preference that does not read is no preference.
  }
  return DEFAULT_PREFS;
}

/** The CSV format chosen on this counter (kept between sessions). */
export function useCsvPrefs(): [CsvPrefs, (p: CsvPrefs) => void] {
  const [prefs, setPrefs] = useState<CsvPrefs>(readPrefs);
  return [
    prefs,
    (p) => {
      setPrefs(p);
      try {
        localStorage.setItem(KEY, JSON.stringify(p));
      } catch {
        // Not kept: it still applies to this screen.
      }
    },
  ];
}

export function CsvPrefsField({ prefs, onChange }: { prefs: CsvPrefs; onChange(p: CsvPrefs): void }) {
  return (
    <span className="csv-prefs">
      <label>
        Format des exports CSV{" "}
        <select
          id="csv-separator"
          value={prefs.separator}
          onChange={(e) => onChange({ ...prefs, separator: e.target.value as CsvSeparator })}
        >
          <option value="semicolon">Excel français (« ; », virgule décimale)</option>
          <option value="comma">Standard (« , », point décimal)</option>
        </select>
      </label>{" "}
      <label>
        <input
          type="checkbox"
          id="csv-bom"
          checked={prefs.bom}
          onChange={(e) => onChange({ ...prefs, bom: e.target.checked })}
        />{" "}
        Accents lisibles dans Excel (BOM UTF-8)
      </label>
    </span>
  );
}

type Outcome = { kind: "idle" } | { kind: "busy" } | { kind: "done"; text: string } | { kind: "error"; text: string };

/** « Exporter (CSV) » for one table (`dossiers`: the dossiers of `figure`). */
export function ExportButton({
  api,
  query,
  table,
  figure = null,
  prefs,
}: {
  api: Api;
  query: ReportQuery;
  table: string;
  figure?: Figure | null;
  prefs: CsvPrefs;
}) {
  const [outcome, setOutcome] = useState<Outcome>({ kind: "idle" });
  async function run() {
    setOutcome({ kind: "busy" });
    try {
      const written = await api.exportReport(query, { table, figure, separator: prefs.separator, bom: prefs.bom });
      setOutcome(
        written
          ? { kind: "done", text: `Enregistré : ${written.path} (${plural(written.rows, "ligne", "lignes")})` }
          : { kind: "done", text: "Export annulé : rien n'a été écrit." },
      );
    } catch (e) {
      setOutcome({ kind: "error", text: toCommandError(e).message });
    }
  }
  return (
    <span className="export">
      <button type="button" className="button small export-button" data-export={table} disabled={outcome.kind === "busy"} onClick={() => void run()}>
        <Icon name="download" /> Exporter (CSV)
      </button>
      <span className="export-outcome" role="status" data-export-outcome={table}>
        {outcome.kind === "busy" ? "Choisissez où enregistrer…" : null}
        {outcome.kind === "done" ? outcome.text : null}
      </span>
      {outcome.kind === "error" ? (
        <span className="alert export-error" role="alert">
          <Icon name="alert" /> {outcome.text}
        </span>
      ) : null}
    </span>
  );
}
