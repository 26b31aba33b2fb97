// Sign-in at the counter: login and PIN, Enter submits, Rust checks the PIN
// (with the lockout) and says in French what went wrong. The lock screen
// covers the counter once Rust has locked the session: the same user's PIN
// resumes it (the screens kept), or a colleague signs in instead.
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";

import type { Api, CommandError } from "../api";
import { toCommandError } from "../api";
import type { SessionView } from "../bindings/SessionView";
import { AlertRegion } from "./AlertRegion";
import { Icon } from "./Icon";

interface FormProps {
  api: Api;
  /** Fixed login (the lock screen: only the PIN is asked). */
  login?: string;
  submitLabel: string;
  onSignedIn(view: SessionView | null): void;
  /** Esc or « Annuler » (absent: nothing to go back to). */
  onCancel?(): void;
}

/** Login and PIN; the PIN is emptied after every attempt. */
export function SignInForm({ api, login: fixedLogin, submitLabel, onSignedIn, onCancel }: FormProps) {
  const [login, setLogin] = useState(fixedLogin ?? "");
  const [pin, setPin] = useState("");
  const [error, setError] = useState<CommandError | null>(null);
  const [busy, setBusy] = useState(false);
  const pinRef = useRef<HTMLInputElement>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.signIn(login, pin));
    } catch (e) {
      setError(toCommandError(e));
      setPin("");
      pinRef.current?.focus();
    } finally {
      setBusy(false);
    }
  }

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === "Escape" && onCancel) {
      event.preventDefault();
      event.stopPropagation();
      onCancel();
    }
  }

  return (
    <form className="signin-form" onSubmit={(e) => void submit(e)} onKeyDown={onKeyDown}>
      {fixedLogin === undefined ? (
        <>
          <label htmlFor="signin-login">Identifiant</label>
          <input
            id="signin-login"
            type="text"
            value={login}
            autoFocus
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            onChange={(e) => setLogin(e.target.value)}
            required
          />
        </>
      ) : null}
      <label htmlFor="signin-pin">Code</label>
      <input
        id="signin-pin"
        ref={pinRef}
        className="pin"
        type="password"
        inputMode="numeric"
        autoComplete="current-password"
        autoFocus={fixedLogin !== undefined}
        value={pin}
        onChange={(e) => setPin(e.target.value)}
        required
      />
      <span />
      <span className="signin-actions">
        <button type="submit" className="button primary" id="signin-submit" disabled={busy}>
          {submitLabel}
        </button>
        {onCancel ? (
          <button type="button" className="button" onClick={onCancel}>
            Annuler <kbd>Échap</kbd>
          </button>
        ) : null}
      </span>
      <div className="signin-error">
        <AlertRegion error={error} />
      </div>
    </form>
  );
}

/** The first screen when nobody is signed in. */
export function SignInScreen({ api, storeName, onSignedIn }: { api: Api; storeName: string; onSignedIn(view: SessionView | null): void }) {
  return (
    <main className="signin-screen" aria-labelledby="signin-title">
      <section className="panel signin-panel">
        <h1 id="signin-title">
          <Icon name="user" /> Connexion au comptoir
        </h1>
        <p className="muted">{storeName}</p>
        <p className="field-help">Chaque action est enregistrée au nom de la personne connectée.</p>
        <SignInForm api={api} submitLabel="Se connecter" onSignedIn={onSignedIn} />
      </section>
    </main>
  );
}

/**
 * Covers the counter while the session is locked (or while a colleague
 * signs in): nothing under it can be read or reached with Tab.
 */
export function LockScreen({
  api,
  view,
  switching,
  onSwitch,
  onCancelSwitch,
  onSignedIn,
}: {
  api: Api;
  view: SessionView;
  /** « Changer d'utilisateur » was chosen: the login and PIN of anyone. */
  switching: boolean;
  onSwitch(): void;
  onCancelSwitch(): void;
  onSignedIn(view: SessionView | null): void;
}) {
  const who = view.session.display_name;
  return (
    <div className="lock-backdrop">
      <section className="panel lock-panel" role="dialog" aria-modal="true" aria-labelledby="lock-title">
        {switching ? (
          <>
            <h1 id="lock-title">
              <Icon name="switch" /> Changer d'utilisateur
            </h1>
            <p className="field-help">
              La session de {who} se termine dès que vous vous connectez.
            </p>
            <SignInForm api={api} submitLabel="Se connecter" onSignedIn={onSignedIn} onCancel={onCancelSwitch} />
          </>
        ) : (
          <>
            <h1 id="lock-title">
              <Icon name="lock" /> Session verrouillée
            </h1>
            <p id="lock-who">
              Connecté : <strong>{who}</strong> ({view.session.role_label})
            </p>
            <p className="field-help">Saisissez votre code pour reprendre là où vous en étiez.</p>
            <SignInForm api={api} login={view.session.login} submitLabel="Reprendre" onSignedIn={onSignedIn} />
            <button type="button" className="button" id="lock-switch" onClick={onSwitch}>
              <Icon name="switch" /> Changer d'utilisateur
            </button>
          </>
        )}
      </section>
    </div>
  );
}

/** How often the screen asks Rust whether the session is still open. */
export const SESSION_POLL_MS = 2000;
/** At most one activity report to Rust in this time. */
export const TOUCH_THROTTLE_MS = 15000;

/**
 * The session as Rust holds it: read at start, polled (Rust decides the
 * idle lock), and keyboard or pointer activity reported at most every 15 s.
 */
export function useSession(api: Api) {
  const [view, setView] = useState<SessionView | null | undefined>(undefined);
  const lastTouch = useRef(0);

  useEffect(() => {
    let live = true;
    const read = () =>
      api.currentSession().then(
        (v) => live && setView(v),
        (e) => console.warn("session unavailable", toCommandError(e)),
      );
    void read();
    const timer = window.setInterval(() => void read(), SESSION_POLL_MS);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [api]);

  useEffect(() => {
    function onActivity() {
      const now = Date.now();
      if (now - lastTouch.current < TOUCH_THROTTLE_MS) return;
      lastTouch.current = now;
      api.touch().then(setView, (e) => console.warn("activity not reported", toCommandError(e)));
    }
    window.addEventListener("keydown", onActivity, true);
    window.addEventListener("pointerdown", onActivity, true);
    return () => {
      window.removeEventListener("keydown", onActivity, true);
      window.removeEventListener("pointerdown", onActivity, true);
    };
  }, [api]);

  return [view, setView] as const;
}
