// Shown instead of the counter when the database cannot be used.
import type { CommandError } from "../api";
import { Icon } from "./Icon";

export function StartupError({ error }: { error: CommandError }) {
  return (
    <main className="fatal" role="alert" aria-labelledby="fatal-title">
      <div className="fatal-box">
        <Icon name="alert" className="fatal-icon" />
        <h1 id="fatal-title">Comptoir ne peut pas démarrer</h1>
        <p className="fatal-message">{error.message}</p>
        <p>
          La recherche des clients est indisponible. Prévenez le support informatique du magasin
          en indiquant le code ci-dessous, puis relancez Comptoir.
        </p>
        <p className="fatal-code">
          Code : <span className="mono">{error.code}</span>
        </p>
      </div>
    </main>
  );
}
