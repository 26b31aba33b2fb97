// « Conseiller : … » in the top bar: who is at the counter. Every dossier
// write is recorded in their name, so it is one click (or Tab + Enter) away.
import { useState, type KeyboardEvent } from "react";

import type { Api, CommandError } from "../api";
import { toCommandError } from "../api";
import type { Settings } from "../bindings/Settings";
import type { UserView } from "../bindings/UserView";
import { Icon } from "./Icon";

interface Props {
  api: Api;
  clerk: string | null;
  onSaved(settings: Settings): void;
}

export function ClerkControl({ api, clerk, onSaved }: Props) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState("");
  const [error, setError] = useState<CommandError | null>(null);
  const [users, setUsers] = useState<UserView[]>([]);

  function start() {
    setName(clerk ?? "");
    setError(null);
    setEditing(true);
    // The counter's users are suggested; a name can still be typed (a
    // temporary colleague). Without the list, the field works the same.
    api.users().then(setUsers, () => setUsers([]));
  }

  async function save() {
    try {
      onSaved(await api.setSetting("clerk", name));
      setEditing(false);
    } catch (e) {
      setError(toCommandError(e));
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Enter") {
      event.preventDefault();
      void save();
    } else if (event.key === "Escape") {
      // Cancels the edit only; the screen stays.
      event.preventDefault();
      event.stopPropagation();
      setEditing(false);
    }
  }

  if (!editing) {
    return (
      <button
        type="button"
        id="clerk-button"
        className={`topbar-link clerk${clerk ? "" : " clerk-missing"}`}
        onClick={start}
      >
        <Icon name={clerk ? "user" : "alert"} /> Conseiller :{" "}
        <strong id="clerk-name">{clerk ?? "à choisir"}</strong>
      </button>
    );
  }
  return (
    <span className="clerk-edit">
      <label htmlFor="clerk-input">Conseiller :</label>
      <input
        id="clerk-input"
        type="text"
        value={name}
        autoFocus
        placeholder="Prénom Nom"
        list="clerk-users"
        autoComplete="off"
        onChange={(e) => setName(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <datalist id="clerk-users">
        {users.map((u) => (
          <option key={u.id} value={u.display_name}>
            {u.role_label}
          </option>
        ))}
      </datalist>
      <button type="button" className="topbar-link" onClick={() => void save()}>
        OK
      </button>
      {error ? (
        <span className="clerk-error" role="alert">
          {error.message}
        </span>
      ) : null}
    </span>
  );
}
