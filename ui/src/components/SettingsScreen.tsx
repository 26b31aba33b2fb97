// The counter's settings: where tickets are printed, the link to the central
// server and, for a manager, the idle lock and the users' lockouts (Rust
// refuses those to anyone else: hiding them from clerks is only a courtesy).
import { useEffect, useState } from "react";

import type { Api, CommandError } from "../api";
import { toCommandError } from "../api";
import type { Session } from "../bindings/Session";
import type { Settings } from "../bindings/Settings";
import type { UserView } from "../bindings/UserView";
import type { SyncView } from "../bindings/SyncView";
import type { Formatter } from "../format";
import { formatCount } from "../format";
import { AlertRegion } from "./AlertRegion";
import { useSyncStatus } from "./SyncIndicator";
import { Icon } from "./Icon";
import { ThresholdsForm } from "./Signals";

interface Props {
  api: Api;
  settings: Settings;
  onSaved(settings: Settings): void;
  fmt: Formatter;
  session: Session;
  /** Managers: opens the audit log. */
  onAudit?(): void;
}

const NO_PRINTER = "";

export function SettingsScreen({ api, settings, onSaved, fmt, session, onAudit }: Props) {
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
      {session.role === "manager" ? (
        <ManagerSettings api={api} settings={settings} onSaved={onSaved} fmt={fmt} onAudit={onAudit} />
      ) : null}
      <CentralServer api={api} fmt={fmt} canEnrol={session.role === "manager"} />
    </main>
  );
}

/** The manager's part: the idle lock, the users and their lockouts. */
export function ManagerSettings({ api, settings, onSaved, fmt, onAudit }: Omit<Props, "session">) {
  const [minutes, setMinutes] = useState(String(settings.idle_lock_minutes));
  const [users, setUsers] = useState<UserView[]>([]);
  const [error, setError] = useState<CommandError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api.users().then(
      (u) => live && setUsers(u),
      (e) => live && setError(toCommandError(e)),
    );
    return () => {
      live = false;
    };
  }, [api]);

  async function run(action: () => Promise<void>, done: string) {
    setError(null);
    setSaved(null);
    try {
      await action();
      setSaved(done);
    } catch (e) {
      setError(toCommandError(e));
    }
  }

  function saveIdle(event: React.FormEvent) {
    event.preventDefault();
    void run(async () => {
      const next = await api.setIdleLock(minutes);
      onSaved(next);
      setMinutes(String(next.idle_lock_minutes));
    }, "Délai de verrouillage enregistré.");
  }

  return (
    <section className="panel manager-panel" aria-labelledby="manager-title">
      <h2 id="manager-title">
        <Icon name="lock" /> Réglages du responsable
      </h2>
      <form onSubmit={saveIdle}>
        <label htmlFor="idle-minutes">Verrouiller la session après (minutes sans activité)</label>
        <input
          id="idle-minutes"
          type="text"
          inputMode="numeric"
          value={minutes}
          onChange={(e) => setMinutes(e.target.value)}
        />
        <button type="submit" className="button primary" id="idle-save">
          Enregistrer
        </button>
      </form>
      <h3>Utilisateurs du comptoir</h3>
      <ul className="user-list" id="user-list">
        {users.map((u) => (
          <li key={u.id}>
            <span>
              <strong>{u.display_name}</strong> ({u.role_label}) · {u.login}
            </span>
            {u.locked_until ? (
              <>
                <span className="sync-rejected">
                  <Icon name="lock" /> Verrouillé jusqu'à {fmt.time(u.locked_until)}
                </span>
                <button
                  type="button"
                  className="button"
                  onClick={() => void run(async () => setUsers(await api.unlockUser(u.login)), `${u.display_name} peut de nouveau se connecter.`)}
                >
                  Déverrouiller
                </button>
              </>
            ) : null}
          </li>
        ))}
      </ul>
      <p role="status">{saved}</p>
      <AlertRegion error={error} />
      <ThresholdsForm api={api} />
      {onAudit ? (
        <p>
          <button type="button" className="button" id="open-audit" onClick={onAudit}>
            <Icon name="list" /> Journal d'audit
          </button>
        </p>
      ) : null}
    </section>
  );
}

/** The link to the central server: enrolment, then its status (read on its own). */
function CentralServer({ api, fmt, canEnrol }: { api: Api; fmt: Formatter; canEnrol: boolean }) {
  const [sync, onSync] = useSyncStatus(api);
  return <CentralServerView api={api} sync={sync} onSync={onSync} fmt={fmt} canEnrol={canEnrol} />;
}

/** `canEnrol`: a manager is signed in (enrolment is theirs; Rust checks it too). */
export function CentralServerView({
  api,
  sync,
  onSync,
  fmt,
  canEnrol,
}: {
  api: Api;
  sync: SyncView | null;
  onSync(): void;
  fmt: Formatter;
  canEnrol: boolean;
}) {
  const [server, setServer] = useState("");
  const [code, setCode] = useState("");
  const [name, setName] = useState("Comptoir SAV");
  const [error, setError] = useState<CommandError | null>(null);
  const [busy, setBusy] = useState(false);

  async function enrol(event: React.FormEvent) {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await api.syncEnrol(server, code, name);
      setCode("");
      onSync();
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setBusy(false);
    }
  }

  const s = sync?.status;
  return (
    <section className="panel sync-panel" aria-labelledby="server-title">
      <h2 id="server-title">
        <Icon name="sync" /> Serveur central
      </h2>
      {!s ? <p className="muted">Lecture de l'état de la synchronisation…</p> : null}
      {s && !s.enrolled && !canEnrol ? (
        <p className="field-help" id="enrol-manager-only">
          Ce poste n'est pas encore relié au serveur central. Seul un responsable peut le relier : demandez-lui de se
          connecter.
        </p>
      ) : null}
      {s && !s.enrolled && canEnrol ? (
        <>
        <p className="field-help">
          Ce poste n'est pas encore relié au serveur central. Le support informatique vous donne l'adresse du
          serveur et un code d'enrôlement à usage unique.
        </p>
        <form className="enrol-form" onSubmit={(e) => void enrol(e)}>
          <label htmlFor="enrol-server">Adresse du serveur</label>
          <input id="enrol-server" value={server} onChange={(e) => setServer(e.target.value)} placeholder="https://sav.exemple.fr" required />
          <label htmlFor="enrol-code">Code d'enrôlement</label>
          <input id="enrol-code" value={code} onChange={(e) => setCode(e.target.value)} placeholder="XXXX-XXXX-XXXX" autoComplete="off" required />
          <label htmlFor="enrol-name">Nom de ce poste</label>
          <input id="enrol-name" value={name} onChange={(e) => setName(e.target.value)} required />
          <span />
          <button type="submit" className="button primary" id="enrol-submit" disabled={busy}>
            Relier ce poste au serveur
          </button>
        </form>
        </>
      ) : null}
      {s && s.enrolled ? (
        <>
          <dl>
            <dt>État</dt>
            <dd id="sync-activity">{s.activity_label}</dd>
            <dt>Serveur</dt>
            <dd>{s.server_url}</dd>
            <dt>Magasin</dt>
            <dd>{s.store_code}</dd>
            <dt>Dernière synchronisation</dt>
            <dd>{s.last_success_at ? fmt.dateTime(s.last_success_at) : "jamais"}</dd>
            <dt>En attente d'envoi</dt>
            <dd>{formatCount(s.outbox)}</dd>
            <dt>Reçus du serveur</dt>
            <dd id="sync-received">{formatCount(s.received)}</dd>
            {s.last_error ? (
              <>
                <dt>Dernière erreur</dt>
                <dd>{s.last_error}</dd>
              </>
            ) : null}
          </dl>
          {s.rejected.length > 0 ? (
            <>
              <h3>Changements refusés</h3>
              <ul className="rejected-list">
                {s.rejected.map((r) => (
                  <li key={r.id}>
                    <Icon name="alert" /> {fmt.dateTime(r.rejected_at)} · {r.direction === "push" ? "refusé par le serveur" : "non applicable ici"} : {r.reason}
                  </li>
                ))}
              </ul>
              <p className="field-help">Un responsable les renvoie ou les abandonne avec « comptoir-ctl sync retry|drop ».</p>
            </>
          ) : null}
        </>
      ) : null}
      <AlertRegion error={error} />
    </section>
  );
}
