// Sign-in at the counter: the sign-in screen, the top bar's « Changer
// d'utilisateur » and « Verrouiller », the lock screen Rust decides, and the
// manager's settings hidden from clerks.
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { Api } from "./api";
import { App } from "./App";
import type { SessionView } from "./bindings/SessionView";
import type { SyncView } from "./bindings/SyncView";
import { SESSION_POLL_MS } from "./components/SignIn";
import { appInfo, managers, sessionOf, stubApi } from "./testData";

afterEach(() => {
  vi.useRealTimers();
});

/** A counter whose session starts as `first`; a sign-in makes it `after`. */
function counterWithSession(first: SessionView | null, after: SessionView, overrides: Partial<Api> = {}) {
  let current = first;
  const api = stubApi({
    appInfo: vi.fn(async () => appInfo),
    currentSession: vi.fn(async () => current),
    signIn: vi.fn(async () => {
      current = after;
      return current;
    }),
    lock: vi.fn(async () => {
      current = current && { ...current, locked: true };
      return current;
    }),
    ...overrides,
  });
  return { api, set: (next: SessionView | null) => (current = next) };
}

function signInAs(login: string, pin: string) {
  fireEvent.change(screen.getByLabelText("Identifiant"), { target: { value: login } });
  const code = screen.getByLabelText("Code");
  fireEvent.change(code, { target: { value: pin } });
  // Enter in the PIN field submits the form.
  fireEvent.submit(code.closest("form") as HTMLFormElement);
}

describe("sign-in", () => {
  it("asks nobody's name: login and PIN, checked by Rust, then the counter in their name", async () => {
    const { api } = counterWithSession(null, sessionOf("clerk"));
    render(<App api={api} />);
    await screen.findByRole("heading", { name: /Connexion au comptoir/ });
    expect(document.activeElement).toBe(screen.getByLabelText("Identifiant"));
    expect(screen.queryByRole("button", { name: /Conseiller/ })).toBeNull();
    signInAs("marie.c", "1234");
    await waitFor(() => expect(document.getElementById("session-name")?.textContent).toBe("Marie Curie"));
    expect(api.signIn).toHaveBeenCalledWith("marie.c", "1234");
    expect(screen.getByRole("button", { name: /Changer d'utilisateur/ })).toBeTruthy();
    expect(screen.getByRole("button", { name: /Verrouiller/ })).toBeTruthy();
  });

  it("shows Rust's French refusal and empties the PIN", async () => {
    const api = stubApi({
      appInfo: vi.fn(async () => appInfo),
      currentSession: vi.fn(async () => null),
      signIn: vi.fn(async () => {
        throw { code: "sign_in_failed", message: "Identifiant ou code incorrect." };
      }),
    });
    render(<App api={api} />);
    await screen.findByRole("heading", { name: /Connexion au comptoir/ });
    signInAs("marie.c", "9999");
    await waitFor(() =>
      expect(screen.getAllByRole("alert").some((a) => a.textContent?.includes("Identifiant ou code incorrect."))).toBe(true),
    );
    const code = screen.getByLabelText("Code") as HTMLInputElement;
    expect(code.value).toBe("");
    expect(document.activeElement).toBe(code);
  });
});

describe("lock", () => {
  it("covers the counter when Rust locked the session; the PIN resumes it", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const { api, set } = counterWithSession(sessionOf("clerk"), sessionOf("clerk"));
    render(<App api={api} />);
    await screen.findByRole("button", { name: /Verrouiller/ });
    // Rust locks it after the idle time: the next poll shows the lock screen.
    set(sessionOf("clerk", true));
    await act(async () => {
      await vi.advanceTimersByTimeAsync(SESSION_POLL_MS + 10);
    });
    const dialog = await screen.findByRole("dialog", { name: /Session verrouillée/ });
    expect(dialog.textContent).toContain("Marie Curie");
    // Only the PIN is asked, for the signed-in login.
    expect(screen.queryByLabelText("Identifiant")).toBeNull();
    const code = screen.getByLabelText("Code");
    expect(document.activeElement).toBe(code);
    fireEvent.change(code, { target: { value: "1234" } });
    fireEvent.submit(code.closest("form") as HTMLFormElement);
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(api.signIn).toHaveBeenCalledWith("marie.c", "1234");
  });

  it("« Changer d'utilisateur » locks first, then a colleague signs in; Esc goes back to the lock", async () => {
    const { api } = counterWithSession(sessionOf("clerk"), sessionOf("manager"));
    render(<App api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: /Changer d'utilisateur/ }));
    await screen.findByRole("dialog", { name: /Changer d'utilisateur/ });
    expect(api.lock).toHaveBeenCalled();
    fireEvent.keyDown(screen.getByLabelText("Identifiant"), { key: "Escape" });
    await screen.findByRole("dialog", { name: /Session verrouillée/ });
    fireEvent.click(screen.getByRole("button", { name: /Changer d'utilisateur/ }));
    await screen.findByRole("dialog", { name: /Changer d'utilisateur/ });
    signInAs("sophie.r", "4826");
    await waitFor(() => expect(document.getElementById("session-name")?.textContent).toBe("Sophie Roux"));
    expect(screen.queryByRole("dialog")).toBeNull();
  });
});

describe("manager settings", () => {
  it("are not shown to a clerk", async () => {
    const api = stubApi({ appInfo: vi.fn(async () => appInfo), listPrinters: vi.fn(async () => []), syncStatus: vi.fn(() => new Promise<SyncView>(() => {})) });
    render(<App api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: /Réglages/ }));
    await screen.findByRole("heading", { name: /Réglages du comptoir/ });
    expect(screen.queryByRole("heading", { name: /Réglages du responsable/ })).toBeNull();
    expect(api.users).not.toHaveBeenCalled();
  });

  it("let a manager set the idle lock and see Rust's refusal of a bad value", async () => {
    const api = stubApi({
      appInfo: vi.fn(async () => appInfo),
      currentSession: vi.fn(async () => sessionOf("manager")),
      listPrinters: vi.fn(async () => []),
      syncStatus: vi.fn(() => new Promise<SyncView>(() => {})),
      users: vi.fn(async () => managers()),
      setIdleLock: vi.fn(async (m: string) => {
        if (m === "0") throw { code: "idle_lock_out_of_range", message: "Délai de verrouillage « 0 » refusé : un nombre entier de minutes entre 1 et 240." };
        return { printer: null, idle_lock_minutes: Number(m) };
      }),
    });
    render(<App api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: /Réglages/ }));
    await screen.findByRole("heading", { name: /Réglages du responsable/ });
    const input = screen.getByLabelText(/Verrouiller la session après/);
    fireEvent.change(input, { target: { value: "0" } });
    fireEvent.submit(input.closest("form") as HTMLFormElement);
    await waitFor(() =>
      expect(screen.getAllByRole("alert").some((a) => a.textContent?.includes("entre 1 et 240"))).toBe(true),
    );
    fireEvent.change(input, { target: { value: "10" } });
    fireEvent.submit(input.closest("form") as HTMLFormElement);
    await screen.findByText("Délai de verrouillage enregistré.");
    expect(api.setIdleLock).toHaveBeenLastCalledWith("10");
  });
});
