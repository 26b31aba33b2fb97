// Screens and keyboard: find → customer, Esc goes back, F2 or / searches.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";

import type { Api, CommandError } from "./api";
import { toCommandError } from "./api";
import type { AppInfo } from "./bindings/AppInfo";
import type { CustomerCard } from "./bindings/CustomerCard";
import { CustomerCardView } from "./components/CustomerCardView";
import { Icon } from "./components/Icon";
import { SearchScreen, type OpenRequest, type Selection } from "./components/SearchScreen";
import { StartupError } from "./components/StartupError";
import { formatCount, makeFormatter } from "./format";
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
      return <Counter api={api} info={boot.info} />;
  }
}

type View =
  | { screen: "search" }
  | {
      screen: "card";
      request: OpenRequest;
      card: CustomerCard | null;
      error: CommandError | null;
    };

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target.isContentEditable
  );
}

export function Counter({ api, info }: { api: Api; info: AppInfo }) {
  const fmt = useMemo(() => makeFormatter(info.store?.timezone), [info.store?.timezone]);
  const search = useSearch(api.search);
  const [selection, setSelection] = useState<Selection>({ of: null, index: -1 });
  const [view, setView] = useState<View>({ screen: "search" });
  const inputRef = useRef<HTMLInputElement>(null);
  const cardRef = useRef<HTMLDivElement>(null);
  const cardTicket = useRef(0);

  const open = useCallback(
    (request: OpenRequest) => {
      const mine = ++cardTicket.current;
      setView({ screen: "card", request, card: null, error: null });
      api.customerCard(request.customerId).then(
        (card) => {
          if (mine === cardTicket.current) setView({ screen: "card", request, card, error: null });
        },
        (error) => {
          if (mine === cardTicket.current)
            setView({ screen: "card", request, card: null, error: toCommandError(error) });
        },
      );
    },
    [api],
  );

  const back = useCallback(() => {
    cardTicket.current++;
    setView({ screen: "search" });
  }, []);

  // Focus follows the screen: the search field on "find", the card on "customer"
  // (so arrows and Page keys scroll it).
  useEffect(() => {
    if (view.screen === "search") inputRef.current?.focus();
    else cardRef.current?.focus();
  }, [view.screen]);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.key === "F2" || (event.key === "/" && !isEditable(event.target))) {
        event.preventDefault();
        back();
        // After the search screen is back in the DOM.
        requestAnimationFrame(() => {
          inputRef.current?.focus();
          inputRef.current?.select();
        });
      } else if (event.key === "Escape") {
        event.preventDefault();
        if (view.screen === "card") {
          back();
        } else {
          search.clear();
          inputRef.current?.focus();
        }
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [view.screen, back, search]);

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Comptoir</span>
        <span className="store">
          {info.store ? `${info.store.name} · ${info.store.city}` : "Magasin non configuré"}
        </span>
        <span className="topbar-info">{formatCount(info.customers)} clients</span>
        <span className="keys">
          <kbd>F2</kbd> Rechercher · <kbd>Échap</kbd> Retour
        </span>
      </header>

      {view.screen === "search" ? (
        <SearchScreen
          search={search}
          selection={selection}
          onSelect={setSelection}
          onOpen={open}
          inputRef={inputRef}
          fmt={fmt}
        />
      ) : (
        <div className="card-screen" ref={cardRef} tabIndex={-1}>
          <nav className="card-nav">
            <button type="button" className="back" onClick={back}>
              <Icon name="back" /> Retour aux résultats <kbd>Échap</kbd>
            </button>
            {search.text ? <span className="muted">Recherche : « {search.text} »</span> : null}
          </nav>
          <div className="alert-region" role="alert">
            {view.error ? (
              <p className="alert">
                <Icon name="alert" /> {view.error.message}
              </p>
            ) : null}
          </div>
          {view.card ? (
            <CustomerCardView card={view.card} fmt={fmt} highlight={view.request.highlight} />
          ) : view.error ? null : (
            <p className="loading" aria-busy="true">
              Chargement de la fiche client…
            </p>
          )}
        </div>
      )}
    </div>
  );
}
