// The counter's settings: who is at the counter, where tickets are printed.
import { useEffect, useState } from "react";

import type { Api, CommandError } from "../api";
import { toCommandError } from "../api";
import type { Settings } from "../bindings/Settings";
import { AlertRegion } from "./AlertRegion";
import { Icon } from "./Icon";

interface Props {
  api: Api;
  settings: Settings;
  onSaved(settings: Settings): void;
}

const NO_PRINTER = "";

export function SettingsScreen({ api, settings, onSaved }: Props) {
  const [printers, setPrinters] = useState<string[] | null>(null);
  const [printersError, setPrintersError] = useState<CommandError | null>(null);
  const [printer, setPrinter] = useState(settings.printer ?? NO_PRINTER);
  const [error, setError] = useState<CommandError | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    let live = true;
    api.listPrinters().then(
      (p) => live && setPrinters(p),
      (e) => {
        if (!live) return;
        setPrinters([]);
        setPrintersError(toCommandError(e));
      },
    );
    return () => {
      live = false;
    };
  }, [api]);

  // The saved printer stays selectable even if CUPS does not list it now.
  const options = printers ?? [];
  const known = settings.printer && !options.includes(settings.printer) ? [settings.printer, ...options] : options;

  async function save() {
    setError(null);
    setSaved(false);
    try {
      onSaved(await api.setSetting("printer", printer));
      setSaved(true);
    } catch (e) {
      setError(toCommandError(e));
    }
  }

  return (
    <main className="screen settings-screen" aria-labelledby="settings-title">
      <h1 id="settings-title">
        <Icon name="settings" /> Réglages du comptoir
      </h1>
      <section className="panel">
        <label htmlFor="printer" className="field-label">
          <Icon name="print" /> Imprimante des tickets
        </label>
        <div className="inline">
          <select id="printer" value={printer} onChange={(e) => setPrinter(e.target.value)} autoFocus>
            <option value={NO_PRINTER}>Aucune : enregistrer en PDF</option>
            {known.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
          <button type="button" className="button primary" onClick={() => void save()}>
            Enregistrer
          </button>
        </div>
        {printers === null ? <p className="muted">Recherche des imprimantes…</p> : null}
        {printersError ? (
          <p className="field-help">
            <Icon name="alert" /> {printersError.message}
          </p>
        ) : null}
        <p className="field-help">Les tickets sont toujours enregistrés en PDF, imprimés ou non.</p>
        <p role="status">{saved ? "Réglage enregistré." : null}</p>
        <AlertRegion error={error} />
      </section>
    </main>
  );
}
