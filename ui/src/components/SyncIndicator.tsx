// The top bar's word and icon for the sync with the central server, with
// what waits and « Synchroniser maintenant ». Polls the status: the
// background task runs in Rust whatever the screen.
import { useCallback, useEffect, useState } from "react";

import type { Api } from "../api";
import { toCommandError } from "../api";
import type { SyncView } from "../bindings/SyncView";
import type { Formatter } from "../format";
import { formatCount, formatTimeLeft, plural } from "../format";
import type { IconName } from "./Icon";
import { Icon } from "./Icon";

const POLL_MS = 2000;

const ICONS: Record<SyncView["status"]["activity"], IconName> = {
  not_enrolled: "offline",
  syncing: "sync",
  online: "online",
  offline: "offline",
  failing: "alert",
};

/**
 * The sync status, read every two seconds. Held by the components that show
 * it (never by the whole counter: the screens do not re-render with it), and
 * only replaced when it changed.
 */
export function useSyncStatus(api: Api): [SyncView | null, () => void] {
  const [view, setView] = useState<SyncView | null>(null);
  const refresh = useCallback(() => {
    api.syncStatus().then(
      (next) =>
        setView((current) => (current && JSON.stringify(current) === JSON.stringify(next) ? current : next)),
      (e) => console.warn("sync status unavailable", toCommandError(e)),
    );
  }, [api]);
  useEffect(() => {
    refresh();
    const timer = window.setInterval(refresh, POLL_MS);
    return () => window.clearInterval(timer);
  }, [refresh]);
  return [view, refresh];
}

/** The top bar's sync state, polling on its own. */
export function SyncIndicator({ api, fmt }: { api: Api; fmt: Formatter }) {
  const [view, refresh] = useSyncStatus(api);
  return <SyncState api={api} fmt={fmt} view={view} onChanged={refresh} />;
}

export function SyncState({ api, fmt, view, onChanged }: {
  api: Api;
  fmt: Formatter;
  view: SyncView | null;
  onChanged(): void;
}) {
  if (!view || !view.status.enrolled) return null;
  const s = view.status;
  const details = [
    s.last_success_at ? `Dernière synchronisation : ${fmt.dateTime(s.last_success_at)}` : "Jamais synchronisé",
    s.last_error ?? null,
    s.server_url ? `Serveur : ${s.server_url}` : null,
  ].filter(Boolean).join("\n");
  return (
    <div className="sync" role="status" aria-live="polite" id="sync-state">
      <span className={`sync-state sync-${s.activity}`} title={details}>
        <Icon name={ICONS[s.activity]} /> {s.activity_label}
      </span>
      {view.bootstrap_total !== null && view.bootstrap_done !== null ? (
        <span className="sync-progress" id="sync-bootstrap">
          <progress
            aria-label="Chargement initial des données du serveur"
            value={view.bootstrap_done}
            max={Math.max(view.bootstrap_total, 1)}
          />
          Chargement initial : {formatCount(view.bootstrap_done)} / {formatCount(view.bootstrap_total)}
          {view.seconds_left !== null ? ` · reste ${formatTimeLeft(view.seconds_left)}` : ""}
        </span>
      ) : view.receiving !== null && view.more ? (
        <span className="sync-progress">
          <progress aria-label="Réception des données du serveur" />
          {formatCount(view.receiving)} reçus
          {view.rate_per_s ? ` · ${formatCount(Math.round(view.rate_per_s))}/s` : ""}
        </span>
      ) : null}
      {s.outbox > 0 ? (
        <span className="sync-waiting" id="sync-waiting">
          {formatCount(s.outbox)} {s.outbox > 1 ? "changements en attente" : "changement en attente"}
        </span>
      ) : null}
      {s.rejected.length > 0 ? (
        <span className="sync-rejected">
          <Icon name="alert" /> {plural(s.rejected.length, "changement refusé", "changements refusés")}
        </span>
      ) : null}
      <button
        type="button"
        className="topbar-link"
        id="sync-now"
        onClick={() => api.syncNow().then(onChanged, (e) => console.warn("sync now failed", toCommandError(e)))}
      >
        <Icon name="sync" /> Synchroniser maintenant
      </button>
    </div>
  );
}
