import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { SearchResponse } from "./bindings/SearchResponse";
import { hit, response } from "./testData";
import { useSearch } from "./useSearch";

interface Deferred {
  query: string;
  resolve(r: SearchResponse): void;
  reject(e: unknown): void;
}

/** A search whose answers the test releases by hand, in any order. */
function controllableSearch() {
  const calls: Deferred[] = [];
  const search = vi.fn(
    (query: string) =>
      new Promise<SearchResponse>((resolve, reject) => calls.push({ query, resolve, reject })),
  );
  return { search, calls };
}

const answerFor = (name: string) => response([hit(name, name, "Lyon", "69002")]);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("useSearch", () => {
  it("waits for a pause in typing before searching", async () => {
    const { search, calls } = controllableSearch();
    const { result } = renderHook(() => useSearch(search, 120));

    act(() => result.current.setText("h"));
    act(() => void vi.advanceTimersByTime(50));
    act(() => result.current.setText("he"));
    act(() => void vi.advanceTimersByTime(50));
    act(() => result.current.setText("hel"));
    expect(search).not.toHaveBeenCalled();
    expect(result.current.pending).toBe(true);

    act(() => void vi.advanceTimersByTime(120));
    expect(search).toHaveBeenCalledTimes(1);
    expect(calls[0]?.query).toBe("hel");

    await act(async () => calls[0]?.resolve(answerFor("hel")));
    expect(result.current.pending).toBe(false);
    expect(result.current.settled?.query).toBe("hel");
  });

  it("ignores an answer that arrives after a newer query was sent", async () => {
    const { search, calls } = controllableSearch();
    const { result } = renderHook(() => useSearch(search, 120));

    act(() => result.current.setText("hel"));
    act(() => void vi.advanceTimersByTime(120));
    act(() => result.current.setText("helene"));
    act(() => void vi.advanceTimersByTime(120));
    expect(calls.map((c) => c.query)).toEqual(["hel", "helene"]);

    // The newer answer comes first, the older one late.
    await act(async () => calls[1]?.resolve(answerFor("helene")));
    await act(async () => calls[0]?.resolve(answerFor("hel")));

    expect(result.current.settled?.query).toBe("helene");
    expect(result.current.settled?.response?.hits[0]?.display_name).toBe("helene");
    expect(result.current.pending).toBe(false);
  });

  it("drops an answer in flight when the field is cleared", async () => {
    const { search, calls } = controllableSearch();
    const { result } = renderHook(() => useSearch(search, 120));

    act(() => result.current.setText("dupre"));
    act(() => void vi.advanceTimersByTime(120));
    act(() => result.current.clear());
    await act(async () => calls[0]?.resolve(answerFor("dupre")));

    expect(result.current.settled).toBeNull();
    expect(result.current.text).toBe("");
  });

  it("keeps the French message of a failed search", async () => {
    const { search, calls } = controllableSearch();
    const { result } = renderHook(() => useSearch(search, 120));

    act(() => result.current.setText("x"));
    act(() => void vi.advanceTimersByTime(120));
    await act(async () =>
      calls[0]?.reject({ code: "query_too_short", message: "Saisissez au moins 2 lettres." }),
    );

    expect(result.current.settled?.error).toEqual({
      code: "query_too_short",
      message: "Saisissez au moins 2 lettres.",
    });
  });

  it("answers Enter at once, without waiting for the debounce (scanner)", async () => {
    const { search, calls } = controllableSearch();
    const { result } = renderHook(() => useSearch(search, 120));

    act(() => result.current.setText("W10000001"));
    let flushed: Promise<unknown> = Promise.resolve();
    act(() => {
      flushed = result.current.flush();
    });
    expect(calls.map((c) => c.query)).toEqual(["W10000001"]);

    await act(async () => calls[0]?.resolve(answerFor("W10000001")));
    await expect(flushed).resolves.toMatchObject({ query: "W10000001" });

    // The debounce timer was cancelled: no second request.
    act(() => void vi.advanceTimersByTime(500));
    expect(search).toHaveBeenCalledTimes(1);
  });

  it("makes Enter a no-op when the text changed before the answer came", async () => {
    const { search, calls } = controllableSearch();
    const { result } = renderHook(() => useSearch(search, 120));

    act(() => result.current.setText("W1000"));
    let flushed: Promise<unknown> = Promise.resolve();
    act(() => {
      flushed = result.current.flush();
    });
    act(() => result.current.setText("W10000001"));
    await act(async () => calls[0]?.resolve(answerFor("W1000")));

    await expect(flushed).resolves.toBeNull();
    expect(result.current.settled).toBeNull();
  });

  it("does not search again for the same words with extra spaces", async () => {
    const { search, calls } = controllableSearch();
    const { result } = renderHook(() => useSearch(search, 120));

    act(() => result.current.setText("dupre"));
    act(() => void vi.advanceTimersByTime(120));
    await act(async () => calls[0]?.resolve(answerFor("dupre")));
    act(() => result.current.setText("dupre "));
    act(() => void vi.advanceTimersByTime(200));

    expect(search).toHaveBeenCalledTimes(1);
    expect(result.current.pending).toBe(false);
    expect(result.current.settled?.query).toBe("dupre");
  });
});
