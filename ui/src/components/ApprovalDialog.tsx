// A manager's approval, asked only when Rust answers `manager_approval_required`:
// the same request is sent again with the manager's login and PIN. The PIN is
// read from the field when "Valider" is pressed, sent once, and the field is
// emptied: it is never kept in React state, logged or shown.
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from "react";

import type { Api, CommandError } from "../api";
import { toCommandError } from "../api";
import type { ManagerApproval } from "../bindings/ManagerApproval";
import type { UserView } from "../bindings/UserView";
import { Icon } from "./Icon";

/** Errors that are about the approval itself: they stay in the dialog. */
const APPROVAL_CODES = new Set(["pin_wrong", "account_locked", "not_a_manager"]);

export const APPROVAL_REQUIRED = "manager_approval_required";

export type Outcome<T> =
  | { status: "done"; value: T }
  | { status: "cancelled" }
  | { status: "failed"; error: CommandError };

interface Pending {
  reason: string;
  send(approval: ManagerApproval): Promise<unknown>;
  settle(outcome: Outcome<unknown>): void;
}

/**
 * Runs a write that may need a manager: `send(null)` first; on
 * `manager_approval_required` the dialog opens and `send(approval)` is
 * retried from it. Resolves once: done, cancelled (Esc / Annuler), or failed
 * for any other error (to show next to the form, which keeps what was typed).
 * `onAsk` runs when the dialog opens (the form is no longer busy: the
 * focus can go back to its button after Esc).
 */
export function useApproval(api: Api): {
  run<T>(send: (approval: ManagerApproval | null) => Promise<T>, onAsk?: () => void): Promise<Outcome<T>>;
  dialog: ReactNode;
} {
  const [pending, setPending] = useState<Pending | null>(null);

  const run = useCallback(
    async <T,>(send: (approval: ManagerApproval | null) => Promise<T>, onAsk?: () => void): Promise<Outcome<T>> => {
      try {
        return { status: "done", value: await send(null) };
      } catch (e) {
        const error = toCommandError(e);
        if (error.code !== APPROVAL_REQUIRED) return { status: "failed", error };
        onAsk?.();
        return new Promise<Outcome<T>>((resolve) => {
          setPending({
            reason: error.message,
            send,
            settle: (outcome) => resolve(outcome as Outcome<T>),
          });
        });
      }
    },
    [],
  );

  const dialog = pending ? (
    <ApprovalDialog
      api={api}
      reason={pending.reason}
      onApprove={async (approval) => {
        try {
          const value = await pending.send(approval);
          setPending(null);
          pending.settle({ status: "done", value });
          return null;
        } catch (e) {
          const error = toCommandError(e);
          if (APPROVAL_CODES.has(error.code)) return error;
          setPending(null);
          pending.settle({ status: "failed", error });
          return null;
        }
      }}
      onCancel={() => {
        setPending(null);
        pending.settle({ status: "cancelled" });
      }}
    />
  ) : null;

  return { run, dialog };
}

interface Props {
  api: Api;
  /** Why a manager is needed, in French, from Rust. */
  reason: string;
  /** Sends the request again; answers the error to show in the dialog, or null when done. */
  onApprove(approval: ManagerApproval): Promise<CommandError | null>;
  onCancel(): void;
}

function focusable(root: HTMLElement): HTMLElement[] {
  return Array.from(
    root.querySelectorAll<HTMLElement>("input, select, textarea, button, [href], [tabindex]:not([tabindex='-1'])"),
  ).filter((el) => !(el as HTMLInputElement).disabled);
}

export function ApprovalDialog({ api, reason, onApprove, onCancel }: Props) {
  const [managers, setManagers] = useState<UserView[] | null>(null);
  const [login, setLogin] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const pinRef = useRef<HTMLInputElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    api.managers().then(
      (list) => {
        if (!live) return;
        setManagers(list);
        const free = list.find((m) => !m.locked_until) ?? list[0];
        setLogin((l) => l || (free?.login ?? ""));
      },
      (e) => {
        if (!live) return;
        setManagers([]);
        setError(toCommandError(e).message);
      },
    );
    return () => {
      live = false;
    };
  }, [api]);

  // The PIN field has the focus when the dialog opens (before it is painted, so a key typed
  // at once lands in it); the focus goes back where it was after.
  useLayoutEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    pinRef.current?.focus();
    return () => {
      if (before && before.isConnected) before.focus();
    };
  }, []);

  function clearPin() {
    if (pinRef.current) {
      pinRef.current.value = "";
      pinRef.current.focus();
    }
  }

  async function submit() {
    if (sending || managers === null) return;
    const pin = pinRef.current?.value ?? "";
    if (login === "") {
      setError("Choisissez le responsable qui valide.");
      return;
    }
    if (pin === "") {
      setError("Saisissez le code du responsable.");
      pinRef.current?.focus();
      return;
    }
    setSending(true);
    setError(null);
    let problem: CommandError | null;
    try {
      problem = await onApprove({ login, pin });
    } finally {
      // Sent once: the field never keeps it, whatever the answer.
      if (pinRef.current) pinRef.current.value = "";
    }
    if (problem) {
      setSending(false);
      setError(problem.message);
      clearPin();
    }
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    void submit();
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    // Nothing behind the dialog reacts to its keys (Esc would leave the screen).
    event.stopPropagation();
    if (event.key === "Escape") {
      event.preventDefault();
      onCancel();
    } else if (event.key === "Enter" && !(event.target instanceof HTMLButtonElement)) {
      event.preventDefault();
      void submit();
    } else if (event.key === "Tab" && boxRef.current) {
      // Tab stays inside the dialog.
      const items = focusable(boxRef.current);
      const first = items[0];
      const last = items[items.length - 1];
      if (!first || !last) return;
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  }

  return (
    <div className="modal-backdrop">
      <div
        ref={boxRef}
        role="dialog"
        aria-modal="true"
        id="approval"
        className="modal panel"
        aria-labelledby="approval-title"
        aria-describedby="approval-reason"
        onKeyDown={onKeyDown}
      >
        <h2 id="approval-title">
          <Icon name="user" /> Validation d'un responsable
        </h2>
        <p id="approval-reason" className="approval-reason">
          {reason}
        </p>
        <form onSubmit={onSubmit} noValidate>
          <div className="field">
            <label htmlFor="approval-manager">Responsable</label>
            <select
              id="approval-manager"
              value={login}
              onChange={(e) => setLogin(e.target.value)}
              disabled={managers === null}
            >
              {managers === null ? <option value="">Chargement…</option> : null}
              {managers?.map((m) => (
                <option key={m.login} value={m.login}>
                  {m.display_name}
                  {m.locked_until ? " (verrouillé)" : ""}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="approval-pin">Code du responsable</label>
            <input
              id="approval-pin"
              ref={pinRef}
              type="password"
              inputMode="numeric"
              autoComplete="off"
              className="pin"
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? "approval-error" : undefined}
            />
          </div>
          {error ? (
            <p id="approval-error" className="field-error" role="alert">
              <Icon name="alert" /> {error}
            </p>
          ) : null}
          <div className="form-actions">
            <button
              type="submit"
              id="approval-submit"
              className="button primary"
              disabled={sending || managers === null}
            >
              <Icon name="done" /> {sending ? "Vérification…" : "Valider"} <kbd>Entrée</kbd>
            </button>
            <button type="button" id="approval-cancel" className="button" onClick={onCancel}>
              Annuler <kbd>Échap</kbd>
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
