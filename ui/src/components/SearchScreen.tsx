// The "find" moment: one field for everything, results as the clerk types.
import { useEffect, useRef, type KeyboardEvent, type RefObject } from "react";
import { AlertRegion } from "./AlertRegion";

import type { SearchHit } from "../bindings/SearchHit";
import type { Formatter } from "../format";
import { plural } from "../format";
import { isNavKey, moveSelection } from "../listNav";
import type { SearchState, Settled } from "../useSearch";
import { Icon, channelIcon } from "./Icon";

/** Which result is selected, and in which answer (a new answer resets it). */
export interface Selection {
  of: Settled | null;
  index: number;
}

export interface OpenRequest {
  customerId: string;
  /** The order or dossier number typed or scanned, to point it out on the card. */
  highlight?: string;
  /** A dossier number typed or scanned: its screen opens instead of the card. */
  dossierId?: string;
}

interface Props {
  search: SearchState;
  selection: Selection;
  onSelect(selection: Selection): void;
  onOpen(request: OpenRequest): void;
  /** Opens the form for a customer who is not found. */
  onNewCustomer(): void;
  inputRef: RefObject<HTMLInputElement | null>;
  fmt: Formatter;
}

// Asked by the store when the text is too short to search: a hint, not a failure.
const HINT_CODES = new Set(["query_too_short"]);

export function SearchScreen({ search, selection, onSelect, onOpen, onNewCustomer, inputRef, fmt }: Props) {
  const { settled, pending, text } = search;
  const hits = settled?.response?.hits ?? [];
  const selected = selection.of === settled ? selection.index : -1;
  const listRef = useRef<HTMLUListElement>(null);

  useEffect(() => {
    if (selected < 0) return;
    const el = listRef.current?.querySelector<HTMLElement>(`#hit-${selected}`);
    el?.scrollIntoView?.({ block: "nearest" });
  }, [selected]);

  async function enter() {
    // A selection made on the answer currently shown, for the text currently typed.
    if (!pending && selected >= 0 && hits[selected]) {
      onOpen({ customerId: hits[selected].customer_id });
      return;
    }
    const answer = await search.flush();
    const response = answer?.response;
    if (!response) return;
    if (response.direct) {
      const direct = response.direct;
      onOpen({
        customerId: direct.customer_id,
        highlight: direct.number,
        dossierId: direct.kind === "dossier" ? direct.dossier_id : undefined,
      });
    } else if (response.hits.length === 1 && response.hits[0]) {
      onOpen({ customerId: response.hits[0].customer_id });
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (isNavKey(event.key) && !(event.key === "Home" || event.key === "End")) {
      event.preventDefault();
      onSelect({ of: settled, index: moveSelection(selected, event.key, hits.length) });
    } else if (event.key === "Enter") {
      event.preventDefault();
      void enter();
    }
  }

  const error = settled?.error;
  const isHint = error !== undefined && HINT_CODES.has(error.code);
  const query = settled?.query ?? "";

  let status = "";
  if (text.trim() !== "" && settled?.response) {
    const n = settled.response.hits.length;
    status =
      n === 0
        ? `Aucun client ne correspond à « ${query} ».`
        : `${plural(n, "client trouvé", "clients trouvés")}`;
  }

  return (
    <main className="search-screen">
      <div className="search-box">
        <label htmlFor="search" className="search-label">
          <Icon name="search" /> Rechercher un client
        </label>
        <input
          id="search"
          ref={inputRef}
          className="search-input"
          type="text"
          role="combobox"
          aria-expanded={hits.length > 0}
          aria-controls="results"
          aria-autocomplete="list"
          aria-activedescendant={selected >= 0 ? `hit-${selected}` : undefined}
          aria-describedby="search-help"
          autoComplete="off"
          autoCorrect="off"
          autoCapitalize="off"
          spellCheck={false}
          autoFocus
          value={text}
          placeholder="Nom, téléphone, e-mail, n° de commande ou de dossier…"
          onChange={(e) => search.setText(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <p id="search-help" className="search-help">
          Scannez un ticket ou tapez une partie du nom. <kbd>↑</kbd> <kbd>↓</kbd> pour choisir,{" "}
          <kbd>Entrée</kbd> pour ouvrir, <kbd>Échap</kbd> pour effacer.
        </p>
      </div>

      <AlertRegion error={error && !isHint ? error : null} />

      <p className="search-status" role="status" aria-live="polite">
        {isHint ? <span className="hint">{error.message}</span> : status}
        {pending ? <span className="pending"> Recherche…</span> : null}
      </p>

      {text.trim() !== "" && settled?.response && settled.response.hits.length === 0 && !pending ? (
        <p className="new-customer">
          <button type="button" className="button primary" id="new-customer" onClick={onNewCustomer}>
            <Icon name="plus" /> Nouveau client
          </button>{" "}
          <span className="muted">
            <kbd>Tab</kbd> puis <kbd>Entrée</kbd> : créer la fiche du client qui n'est pas trouvé.
          </span>
        </p>
      ) : null}

      {settled?.response?.more ? (
        <p className="more" role="note">
          <Icon name="alert" /> Plus de résultats : précisez (prénom, ville…)
        </p>
      ) : null}

      <ul
        id="results"
        className="results"
        role="listbox"
        aria-label="Clients trouvés"
        data-query={settled?.response ? query : undefined}
        ref={listRef}
      >
        {hits.map((hit, index) => (
          <HitRow
            key={hit.customer_id}
            hit={hit}
            index={index}
            selected={index === selected}
            fmt={fmt}
            onOpen={() => onOpen({ customerId: hit.customer_id })}
          />
        ))}
      </ul>
    </main>
  );
}

function HitRow({
  hit,
  index,
  selected,
  fmt,
  onOpen,
}: {
  hit: SearchHit;
  index: number;
  selected: boolean;
  fmt: Formatter;
  onOpen(): void;
}) {
  return (
    <li
      id={`hit-${index}`}
      role="option"
      aria-selected={selected}
      className={`hit${selected ? " selected" : ""}`}
      data-customer-id={hit.customer_id}
      onClick={onOpen}
    >
      <div className="hit-main">
        <span className="hit-name">{hit.display_name}</span>
        <span className="hit-city">
          {hit.city} ({hit.postal_code})
        </span>
        {hit.open_dossiers > 0 ? (
          <span className="badge badge-open">
            <Icon name="open" />{" "}
            {plural(hit.open_dossiers, "dossier ouvert", "dossiers ouverts")}
          </span>
        ) : null}
        {selected ? <span className="hit-enter">Entrée pour ouvrir</span> : null}
      </div>
      <div className="hit-details">
        {hit.phone ? (
          <span>
            <Icon name="phone" /> {hit.phone}
          </span>
        ) : null}
        {hit.email ? (
          <span>
            <Icon name="mail" /> {hit.email}
          </span>
        ) : null}
        {hit.last_purchase ? (
          <span>
            <Icon name={channelIcon(hit.last_purchase.channel)} /> Dernier achat le{" "}
            {fmt.date(hit.last_purchase.ordered_at)} · {hit.last_purchase.where_label}
          </span>
        ) : (
          <span className="muted">Aucun achat connu</span>
        )}
      </div>
      {hit.matched_label ? <div className="hit-why">Trouvé par : {hit.matched_label}</div> : null}
    </li>
  );
}
