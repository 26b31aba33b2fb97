// Screens and keyboard: find → customer → intake → dossier, and the lists.
// Each screen is one moment; Esc goes back one screen, F2 or / searches,
// F3 shows the dossier lists, F4 the dashboard (managers).
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";

import type { Api, CommandError } from "./api";
import { toCommandError } from "./api";
import type { AppInfo } from "./bindings/AppInfo";
import type { CustomerCard } from "./bindings/CustomerCard";
import type { CustomerView } from "./bindings/CustomerView";
import type { DossierList } from "./bindings/DossierList";
import type { Session } from "./bindings/Session";
import type { ReportQuery } from "./bindings/ReportQuery";
import type { Settings } from "./bindings/Settings";
import { CustomerCardView } from "./components/CustomerCardView";
import { CustomerForm, type CustomerDraft } from "./components/CustomerForm";
import { AuditScreen } from "./components/AuditScreen";
import { DashboardScreen, type FigurePick } from "./components/DashboardScreen";
import { DossierScreen } from "./components/DossierScreen";
import { DrillDownScreen } from "./components/DrillDownScreen";
import { AlertRegion } from "./components/AlertRegion";
import { Icon } from "./components/Icon";
import { IntakeScreen, type Purchase } from "./components/IntakeScreen";
import { ListsScreen } from "./components/ListsScreen";
import { SearchScreen, type OpenRequest, type Selection } from "./components/SearchScreen";
import { SettingsScreen } from "./components/SettingsScreen";
import { CardSignals, FollowUpScreen, RgpdPanel, SignalsScreen } from "./components/Signals";
import { LockScreen, SignInScreen, useSession } from "./components/SignIn";
import { StartupError } from "./components/StartupError";
import { SyncIndicator } from "./components/SyncIndicator";
import { formatCount, makeFormatter, type Formatter } from "./format";
import { useSearch } from "./useSearch";

type Boot =
  | { state: "loading" }
  | { state: "failed"; error: CommandError }
  | { state: "ready"; info: AppInfo };

export function App({ api }: { api: Api }) {
  const [boot, setBoot] = useState<Boot>({ state: "loading" });

  useEffect(() => {
    let live = true;
    api.appInfo().then(
      (info) => live && setBoot({ state: "ready", info }),
      (error) => live && setBoot({ state: "failed", error: toCommandError(error) }),
    );
    return () => {
      live = false;
    };
  }, [api]);
  // What the sync brought (a first load, another store's customers) shows
  // in the header's count without a restart.
  useEffect(
    () =>
      api.onSyncChanged(() => {
        api.appInfo().then(
          (info) => setBoot((b) => (b.state === "ready" ? { state: "ready", info } : b)),
          (error) => console.warn("app info unavailable", toCommandError(error)),
        );
      }),
    [api],
  );

  switch (boot.state) {
    case "loading":
      return (
        <main className="boot" aria-busy="true">
          <p>Ouverture de la base clients…</p>
        </main>
      );
    case "failed":
      return <StartupError error={boot.error} />;
    case "ready":
      return <SignedIn api={api} info={boot.info} />;
  }
}

/**
 * Nobody signed in: the sign-in screen. Signed in: the counter, covered by
 * the lock screen while Rust holds the session locked or while a colleague
 * signs in (« Changer d'utilisateur »). The same user resuming keeps their
 * screens; another user starts afresh.
 */
function SignedIn({ api, info }: { api: Api; info: AppInfo }) {
  const [view, setView] = useSession(api);
  const [switching, setSwitching] = useState(false);
  const signedIn = useCallback(
    (next: Parameters<typeof setView>[0]) => {
      setSwitching(false);
      setView(next);
    },
    [setView],
  );
  const lock = useCallback(
    async (thenSwitch: boolean) => {
      try {
        setView(await api.lock());
      } catch (e) {
        console.warn("lock failed", toCommandError(e));
      }
      setSwitching(thenSwitch);
    },
    [api, setView],
  );

  if (view === undefined) {
    return (
      <main className="boot" aria-busy="true">
        <p>Ouverture de la session…</p>
      </main>
    );
  }
  if (view === null) {
    const storeName = info.store ? `${info.store.name} · ${info.store.city}` : "Magasin non configuré";
    return <SignInScreen api={api} storeName={storeName} onSignedIn={signedIn} />;
  }
  const covered = view.locked || switching;
  return (
    <>
      <div className="app-frame" inert={covered} aria-hidden={covered ? true : undefined}>
        <Counter
          key={view.session.user_id}
          api={api}
          info={info}
          session={view.session}
          onSwitch={() => void lock(true)}
          onLock={() => void lock(false)}
        />
      </div>
      {covered ? (
        <LockScreen
          api={api}
          view={view}
          switching={switching}
          onSwitch={() => setSwitching(true)}
          onCancelSwitch={() => setSwitching(false)}
          onSignedIn={signedIn}
        />
      ) : null}
    </>
  );
}

type View =
  | { screen: "search" }
  | { screen: "card"; request: OpenRequest }
  | { screen: "new-customer"; prefill: string; draft?: CustomerDraft }
  | { screen: "edit-customer"; customer: CustomerView; draft?: CustomerDraft }
  | { screen: "intake"; customer: CustomerView; purchase: Purchase | null }
  | { screen: "dossier"; dossierId: string }
  | { screen: "lists"; list: DossierList }
  | { screen: "settings" }
  /** `query: null` until the dashboard opens on its first period. */
  | { screen: "dashboard"; query: ReportQuery | null }
  | { screen: "drill"; query: ReportQuery; pick: FigurePick }
  | { screen: "audit" }
  | { screen: "signals" }
  | { screen: "follow-up" };

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    target.isContentEditable
  );
}

const SEARCH: View = { screen: "search" };

interface CounterProps {
  api: Api;
  info: AppInfo;
  /** Who is signed in (Rust records every write in their name). */
  session: Session;
  /** « Changer d'utilisateur »: locks, then a colleague signs in. */
  onSwitch(): void;
  onLock(): void;
}

export function Counter({ api, info, session, onSwitch, onLock }: CounterProps) {
  const fmt = useMemo(() => makeFormatter(info.store?.timezone), [info.store?.timezone]);
  const search = useSearch(api.search);
  const [selection, setSelection] = useState<Selection>({ of: null, index: -1 });
  // The screens the clerk went through; Esc goes back one. The search is always at the bottom.
  const [stack, setStack] = useState<View[]>([SEARCH]);
  const [settings, setSettings] = useState<Settings>({ printer: null, idle_lock_minutes: 5 });
  const inputRef = useRef<HTMLInputElement>(null);
  const view = stack[stack.length - 1] ?? SEARCH;
  // Bumped when the sync brought changes: the card or dossier on screen reloads.
  const [version, setVersion] = useState(0);
  useEffect(() => api.onSyncChanged(() => setVersion((v) => v + 1)), [api]);

  useEffect(() => {
    let live = true;
    api.getSettings().then(
      (s) => live && setSettings(s),
      (e) => console.warn("settings unavailable", toCommandError(e)),
    );
    return () => {
      live = false;
    };
  }, [api]);

  const push = useCallback((next: View) => setStack((s) => [...s, next]), []);
  /** Replaces the current screen (intake → its dossier: Esc then goes back to the card). */
  const replace = useCallback((next: View) => setStack((s) => [...s.slice(0, -1), next]), []);
  const back = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const toSearch = useCallback(() => setStack([SEARCH]), []);

  const open = useCallback(
    (request: OpenRequest) => {
      if (request.dossierId) push({ screen: "dossier", dossierId: request.dossierId });
      else push({ screen: "card", request });
    },
    [push],
  );

  const showLists = useCallback(() => {
    setStack((s) => {
      const top = s[s.length - 1];
      return top?.screen === "lists" ? s : [...s, { screen: "lists", list: "store_open" }];
    });
  }, []);

  const isManager = session.role === "manager";
  const showDashboard = useCallback(() => {
    setStack((s) => {
      const top = s[s.length - 1];
      return top?.screen === "dashboard" ? s : [...s, { screen: "dashboard", query: null }];
    });
  }, []);

  useEffect(() => {
    if (view.screen === "search") inputRef.current?.focus();
  }, [view]);

  // F2 selects what the field holds, so the next keys replace it. The
  // selection is made before anything else can be typed: at once when the
  // field is on screen, else as soon as the search screen is mounted (a
  // layout effect runs before the next key is handled). Made a frame
  // later, it would swallow what a fast clerk or a scanner typed meanwhile.
  const selectSearchOnShow = useRef(false);
  useLayoutEffect(() => {
    if (view.screen === "search" && selectSearchOnShow.current) {
      selectSearchOnShow.current = false;
      inputRef.current?.focus();
      inputRef.current?.select();
    }
  }, [view]);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      // A modal dialog (a manager's approval) handles its own keys.
      if (document.querySelector('[role="dialog"][aria-modal="true"]')) return;
      if (event.key === "F2" || (event.key === "/" && !isEditable(event.target))) {
        event.preventDefault();
        if (inputRef.current) {
          inputRef.current.focus();
          inputRef.current.select();
        } else {
          selectSearchOnShow.current = true;
        }
        toSearch();
      } else if (event.key === "F3") {
        event.preventDefault();
        showLists();
      } else if (event.key === "F4" && isManager) {
        event.preventDefault();
        showDashboard();
      } else if (event.key === "Escape") {
        event.preventDefault();
        if (view.screen !== "search") {
          back();
        } else {
          search.clear();
          inputRef.current?.focus();
        }
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [view.screen, back, toSearch, showLists, showDashboard, isManager, search]);

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Comptoir</span>
        <span className="store">
          {info.store ? `${info.store.name} · ${info.store.city}` : "Magasin non configuré"}
        </span>
        <span className="topbar-info">{formatCount(info.customers)} clients</span>
        <span className="session-user" id="session-user">
          <Icon name="user" /> <strong id="session-name">{session.display_name}</strong> ({session.role_label})
        </span>
        <button type="button" className="topbar-link" id="switch-user" onClick={onSwitch}>
          <Icon name="switch" /> Changer d'utilisateur
        </button>
        <button type="button" className="topbar-link" id="lock-button" onClick={onLock}>
          <Icon name="lock" /> Verrouiller
        </button>
        <SyncIndicator api={api} fmt={fmt} />
        <nav className="topbar-nav" aria-label="Écrans">
          <button type="button" className="topbar-link" onClick={toSearch}>
            <Icon name="search" /> Rechercher <kbd>F2</kbd>
          </button>
          <button type="button" className="topbar-link" id="nav-lists" onClick={showLists}>
            <Icon name="list" /> Dossiers <kbd>F3</kbd>
          </button>
          <button
            type="button"
            className="topbar-link"
            id="nav-follow-up"
            onClick={() => view.screen !== "follow-up" && push({ screen: "follow-up" })}
          >
            <Icon name="mail" /> Rappels
          </button>
          <button
            type="button"
            className="topbar-link"
            id="nav-signals"
            onClick={() => view.screen !== "signals" && push({ screen: "signals" })}
          >
            <Icon name="alert" /> Signaux
          </button>
          {isManager ? (
            <button type="button" className="topbar-link" id="nav-dashboard" onClick={showDashboard}>
              <Icon name="chart" /> Tableau de bord <kbd>F4</kbd>
            </button>
          ) : null}
          <button
            type="button"
            className="topbar-link"
            id="nav-settings"
            onClick={() => view.screen !== "settings" && push({ screen: "settings" })}
          >
            <Icon name="settings" /> Réglages
          </button>
        </nav>
      </header>

      {view.screen === "search" ? (
        <SearchScreen
          search={search}
          selection={selection}
          onSelect={setSelection}
          onOpen={open}
          onNewCustomer={() => push({ screen: "new-customer", prefill: search.text })}
          inputRef={inputRef}
          fmt={fmt}
        />
      ) : (
        <div className="screen-frame">
          <nav className="card-nav">
            <button type="button" className="back" onClick={back}>
              <Icon name="back" /> {backLabel(stack)} <kbd>Échap</kbd>
            </button>
            {view.screen === "card" && search.text ? (
              <span className="muted">Recherche : « {search.text} »</span>
            ) : null}
          </nav>
          {view.screen === "card" ? (
            <CardScreen
              key={view.request.customerId}
              api={api}
              request={view.request}
              fmt={fmt}
              onIntake={(customer, purchase) => push({ screen: "intake", customer, purchase })}
              onOpenDossier={(dossierId) => push({ screen: "dossier", dossierId })}
              onEdit={(customer) => push({ screen: "edit-customer", customer })}
              version={version}
              isManager={isManager}
              onErased={() => search.setText("")}
            />
          ) : null}
          {view.screen === "new-customer" || view.screen === "edit-customer" ? (
            <CustomerForm
              key={view.screen === "edit-customer" ? view.customer.id : "new"}
              api={api}
              mode={
                view.screen === "edit-customer"
                  ? { kind: "edit", customer: view.customer }
                  : { kind: "new", prefill: view.prefill }
              }
              onSaved={(card) =>
                view.screen === "edit-customer"
                  ? back()
                  : replace({ screen: "card", request: { customerId: card.customer.id } })
              }
              resume={view.draft}
              onOpenCustomer={(customerId, draft) => {
                // Esc from that card comes back to the form as it was typed.
                replace({ ...view, draft });
                push({ screen: "card", request: { customerId } });
              }}
            />
          ) : null}
          {view.screen === "intake" ? (
            <IntakeScreen
              api={api}
              customer={view.customer}
              purchase={view.purchase}
              fmt={fmt}
              onOpened={(detail) => replace({ screen: "dossier", dossierId: detail.dossier.id })}
            />
          ) : null}
          {view.screen === "dossier" ? (
            <FocusOnMount key={view.dossierId}>
              <DossierScreen
                api={api}
                dossierId={view.dossierId}
                fmt={fmt}
                onOpenCustomer={(customerId) => push({ screen: "card", request: { customerId } })}
                version={version}
              />
            </FocusOnMount>
          ) : null}
          {view.screen === "lists" ? (
            <ListsScreen
              api={api}
              fmt={fmt}
              list={view.list}
              onList={(list) => replace({ screen: "lists", list })}
              onOpen={(dossierId) => push({ screen: "dossier", dossierId })}
            />
          ) : null}
          {view.screen === "dashboard" ? (
            <DashboardScreen
              api={api}
              fmt={fmt}
              query={view.query}
              onQuery={(query) => replace({ screen: "dashboard", query })}
              onFigure={(query, pick) => push({ screen: "drill", query, pick })}
            />
          ) : null}
          {view.screen === "drill" ? (
            <DrillDownScreen
              key={JSON.stringify([view.query, view.pick.figure])}
              api={api}
              fmt={fmt}
              query={view.query}
              pick={view.pick}
              onOpen={(dossierId) => push({ screen: "dossier", dossierId })}
            />
          ) : null}
          {view.screen === "audit" ? <AuditScreen api={api} fmt={fmt} /> : null}
          {view.screen === "signals" ? (
            <SignalsScreen
              api={api}
              links={{
                onOpenDossier: (dossierId) => push({ screen: "dossier", dossierId }),
                onOpenCustomer: (customerId) => push({ screen: "card", request: { customerId } }),
              }}
            />
          ) : null}
          {view.screen === "follow-up" ? (
            <FollowUpScreen
              api={api}
              fmt={fmt}
              links={{
                onOpenDossier: (dossierId) => push({ screen: "dossier", dossierId }),
                onOpenCustomer: (customerId) => push({ screen: "card", request: { customerId } }),
              }}
            />
          ) : null}
          {view.screen === "settings" ? (
            <SettingsScreen
              api={api}
              settings={settings}
              onSaved={setSettings}
              fmt={fmt}
              session={session}
              onAudit={() => push({ screen: "audit" })}
            />
          ) : null}
        </div>
      )}
    </div>
  );
}

function backLabel(stack: View[]): string {
  const previous = stack[stack.length - 2];
  switch (previous?.screen) {
    case "card":
      return "Retour à la fiche client";
    case "dossier":
      return "Retour au dossier";
    case "lists":
      return "Retour aux listes";
    case "intake":
      return "Retour";
    case "settings":
      return "Retour aux réglages";
    case "dashboard":
      return "Retour au tableau de bord";
    case "drill":
      return "Retour à la liste";
    case "audit":
      return "Retour au journal";
    case "signals":
      return "Retour aux signaux";
    case "follow-up":
      return "Retour aux rappels";
    case "new-customer":
    case "edit-customer":
      return "Retour au formulaire";
    default:
      return "Retour aux résultats";
  }
}

/** Puts the focus on its content once, so arrows and Page keys scroll it. */
function FocusOnMount({ children }: { children: React.ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <div className="focus-frame" ref={ref} tabIndex={-1}>
      {children}
    </div>
  );
}

type CardLoad = { card: CustomerCard | null; error: CommandError | null };

/** The customer card, fetched each time the screen shows (new dossiers appear). */
function CardScreen({
  api,
  request,
  fmt,
  onIntake,
  onOpenDossier,
  onEdit,
  version,
  isManager = false,
  onErased,
}: {
  api: Api;
  request: OpenRequest;
  fmt: Formatter;
  onIntake(customer: CustomerView, purchase: Purchase | null): void;
  onOpenDossier(dossierId: string): void;
  onEdit(customer: CustomerView): void;
  version: number;
  isManager?: boolean;
  /** After an erasure: the search that found them (their name, phone or e-mail) is forgotten. */
  onErased?(): void;
}) {
  const [load, setLoad] = useState<CardLoad>({ card: null, error: null });
  const [erased, setErased] = useState(0);
  useEffect(() => {
    let live = true;
    api.customerCard(request.customerId).then(
      (card) => live && setLoad({ card, error: null }),
      (error) => live && setLoad({ card: null, error: toCommandError(error) }),
    );
    return () => {
      live = false;
    };
    // `version`: a sync brought changes made elsewhere; read the card again.
  }, [api, request.customerId, version, erased]);

  const { card, error } = load;
  return (
    <FocusOnMount>
      <AlertRegion error={error} />
      <CardSignals
        api={api}
        customerId={request.customerId}
        version={version + erased}
        links={{ onOpenDossier }}
      />
      {card ? (
        <CustomerCardView
          card={card}
          fmt={fmt}
          highlight={request.highlight}
          actions={{
            onIntake: (order, line) => onIntake(card.customer, { order, line }),
            onIntakeWithoutProof: () => onIntake(card.customer, null),
            onOpenDossier,
            onEdit: () => onEdit(card.customer),
          }}
        />
      ) : error ? null : (
        <p className="loading" aria-busy="true">
          Chargement de la fiche client…
        </p>
      )}
      {card && isManager ? (
        <RgpdPanel api={api} fmt={fmt} customerId={request.customerId} erasedAt={card.erased_at} onErased={() => {
            setErased((n) => n + 1);
            onErased?.();
          }}
        />
      ) : null}
    </FocusOnMount>
  );
}
