// The search field's logic: debounce while the clerk types, keep only the
// answer to the latest query (a slow answer to "hel" must never replace the
// answer to "helene"), and answer Enter at once for the exact text typed
// (a barcode scanner types the code and presses Enter faster than the
// debounce).
import { useCallback, useEffect, useRef, useState } from "react";

import { toCommandError, type CommandError } from "./api";
import type { SearchResponse } from "./bindings/SearchResponse";

export const SEARCH_DEBOUNCE_MS = 120;

/** The settled answer to one query. */
export type Settled =
  | { query: string; response: SearchResponse; error?: undefined }
  | { query: string; error: CommandError; response?: undefined };

export interface SearchState {
  text: string;
  /** Answer to the latest query sent, once it arrived. */
  settled: Settled | null;
  /** A query is waiting for the debounce or for its answer. */
  pending: boolean;
  setText(text: string): void;
  /** The answer for exactly the current text, searching now if needed;
   * null if the text changed before it arrived (it is stale) or is empty. */
  flush(): Promise<Settled | null>;
  clear(): void;
}

export function normaliseQuery(text: string): string {
  return text.trim();
}

export function useSearch(
  search: (query: string) => Promise<SearchResponse>,
  debounceMs: number = SEARCH_DEBOUNCE_MS,
): SearchState {
  const [text, setTextState] = useState("");
  const [settled, setSettled] = useState<Settled | null>(null);
  const [pending, setPending] = useState(false);

  // Every request gets a ticket; only the answer holding the latest ticket
  // is kept. Changing the text also takes a ticket, so it invalidates any
  // answer still in flight.
  const ticket = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const settledRef = useRef<Settled | null>(null);
  const textRef = useRef("");

  const cancelTimer = () => {
    if (timer.current !== null) {
      clearTimeout(timer.current);
      timer.current = null;
    }
  };

  const run = useCallback(
    async (query: string): Promise<Settled | null> => {
      const mine = ++ticket.current;
      setPending(true);
      let result: Settled;
      try {
        result = { query, response: await search(query) };
      } catch (error) {
        result = { query, error: toCommandError(error) };
      }
      if (mine !== ticket.current) return null; // stale: a newer query was sent
      settledRef.current = result;
      setSettled(result);
      setPending(false);
      return result;
    },
    [search],
  );

  const setText = useCallback(
    (next: string) => {
      textRef.current = next;
      setTextState(next);
      cancelTimer();
      const query = normaliseQuery(next);
      if (query === "") {
        ticket.current++;
        settledRef.current = null;
        setSettled(null);
        setPending(false);
        return;
      }
      if (settledRef.current?.query === query) {
        // Same query (e.g. a trailing space): the current answer stands,
        // but an answer in flight for another text must not land.
        ticket.current++;
        setPending(false);
        return;
      }
      ticket.current++;
      setPending(true);
      timer.current = setTimeout(() => {
        timer.current = null;
        void run(query);
      }, debounceMs);
    },
    [run, debounceMs],
  );

  const flush = useCallback(async (): Promise<Settled | null> => {
    const query = normaliseQuery(textRef.current);
    if (query === "") return null;
    const current = settledRef.current;
    if (current && current.query === query && timer.current === null) {
      // Already answered, unless a request for this same text is in flight
      // (then `run` below asks again; the newer ticket wins either way).
      return current;
    }
    cancelTimer();
    return run(query);
  }, [run]);

  const clear = useCallback(() => setText(""), [setText]);

  useEffect(() => cancelTimer, []);

  return { text, settled, pending, setText, flush, clear };
}
