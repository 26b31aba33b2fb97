// What the unified return policy allows for a case, as Rust ruled it: every
// resolution with whether it is allowed, who must approve, the amount, the
// basis (law, policy, goodwill) and the sentence to read to the customer.
// The clerk picks one; the UI decides nothing.
import type { CommandError } from "../api";
import type { PolicyPreview } from "../bindings/PolicyPreview";
import type { PolicyResolution } from "../bindings/PolicyResolution";
import type { ResolutionOption } from "../bindings/ResolutionOption";
import { formatCents, formatDay } from "../format";
import { Icon } from "./Icon";

/** The chosen resolution, or "" for "Décider plus tard" / nothing chosen yet. */
export type PolicyPick = PolicyResolution | "";

export interface PolicyState {
  preview: PolicyPreview | null;
  error: CommandError | null;
  loading: boolean;
}

export const POLICY_LOADING: PolicyState = { preview: null, error: null, loading: true };

interface Props {
  state: PolicyState;
  /** "Politique sav-unifie 2026.1" when the ruling does not say (no decision). */
  fallbackPolicy?: string | null;
  pick: PolicyPick;
  onPick(pick: PolicyPick): void;
  /** Offer "Décider plus tard" (at intake). */
  allowLater: boolean;
  gesture: string;
  onGesture(text: string): void;
  gestureError?: string | null;
  /** The decision's note (at intake; the decide form has its own). */
  note?: string;
  onNote?(text: string): void;
}

/** The picked option is still one the ruling allows (else the pick is dropped). */
export function pickStillAllowed(preview: PolicyPreview | null, pick: PolicyPick): boolean {
  if (pick === "") return true;
  return rulingOptions(preview).some((o) => o.resolution === pick && o.allowed);
}

/** The options to choose from: the policy's, or — when it cannot rule on
 * the case — those a manager may still take (Rust says which). */
export function rulingOptions(preview: PolicyPreview | null): ResolutionOption[] {
  return preview?.decision?.options ?? preview?.manager_options ?? [];
}

export function PolicyOptions({
  state,
  fallbackPolicy,
  pick,
  onPick,
  allowLater,
  gesture,
  onGesture,
  gestureError,
  note,
  onNote,
}: Props) {
  const { preview, error, loading } = state;
  const decision = preview?.decision ?? null;
  const options = rulingOptions(preview);
  const policyName = decision ? `Politique ${decision.policy_id} ${decision.policy_version}` : fallbackPolicy;

  return (
    <section
      id="policy-options"
      className="panel policy-panel"
      aria-labelledby="policy-title"
      aria-busy={loading ? true : undefined}
    >
      {/* Stays in view while the options scroll beneath it. */}
      <div className="policy-head">
        <h2 id="policy-title">Ce que permet la politique de retour</h2>
        <p className="policy-meta muted">
          {policyName ? <span id="policy-name">{policyName}</span> : null}
          {preview?.category_label ? (
            <>
              {policyName ? " · " : null}
              <span id="policy-category">{preview.category_label}</span>
            </>
          ) : null}
          {loading ? <span className="policy-loading"> · mise à jour…</span> : null}
        </p>
      </div>

      {error ? (
        <p className="field-error">
          <Icon name="alert" /> {error.message}
        </p>
      ) : null}

      {preview?.unavailable ? (
        <p id="policy-unavailable" className="policy-unavailable">
          <Icon name="alert" /> {preview.unavailable}
        </p>
      ) : null}

      {decision?.facts.withdrawal_deadline ? (
        <p id="policy-withdrawal" className="policy-fact muted">
          Rétractation légale jusqu'au {formatDay(decision.facts.withdrawal_deadline)}
          {decision.facts.policy_withdrawal_deadline
            ? ` ; retour accepté par la politique jusqu'au ${formatDay(decision.facts.policy_withdrawal_deadline)}`
            : ""}
        </p>
      ) : null}
      {decision?.facts.commercial_warranty_end ? (
        <p id="policy-commercial-warranty" className="policy-fact muted">
          Garantie commerciale
          {decision.facts.commercial_warranty_guarantor ? ` (${decision.facts.commercial_warranty_guarantor})` : ""}{" "}
          jusqu'au <span className="cw-end">{formatDay(decision.facts.commercial_warranty_end)}</span>
        </p>
      ) : null}

      {options.length > 0 ? (
        <>
          <fieldset className="policy-list">
            <legend className="visually-hidden">Décision pour le client</legend>
            {allowLater ? (
              <div className="policy-option later">
                <label>
                  <input
                    type="radio"
                    name="policy-option"
                    value=""
                    checked={pick === ""}
                    onChange={() => onPick("")}
                  />
                  <span className="option-label">Décider plus tard</span>
                </label>
              </div>
            ) : null}
            {options.map((o) => {
              const whyId = `policy-why-${o.resolution}`;
              return (
                <div
                  key={o.resolution}
                  className={`policy-option${o.allowed ? "" : " refused"}${pick === o.resolution ? " picked" : ""}`}
                  data-resolution={o.resolution}
                >
                  <label>
                    <input
                      type="radio"
                      name="policy-option"
                      value={o.resolution}
                      checked={pick === o.resolution}
                      disabled={!o.allowed}
                      onChange={() => onPick(o.resolution)}
                      aria-describedby={whyId}
                    />
                    <span className="option-label">{o.label}</span>
                    {o.amount !== null ? <span className="option-amount">{formatCents(o.amount)}</span> : null}
                    {/* A refused option's reason is its explanation, not a basis. */}
                    {o.allowed ? (
                      <span className={`badge basis basis-${o.basis}`}>
                        {o.article ? `${o.basis_label} · ${o.article}` : o.basis_label}
                      </span>
                    ) : null}
                    {o.needs_manager ? (
                      <span className="badge needs-manager">
                        <Icon name="user" /> Responsable requis
                      </span>
                    ) : null}
                    {o.allowed ? null : (
                      <span className="badge not-allowed">
                        <Icon name="no" /> Non possible
                      </span>
                    )}
                  </label>
                  <p id={whyId} className="option-explanation">
                    {o.explanation}
                  </p>
                </div>
              );
            })}
          </fieldset>

          {decision?.gesture ? (
            <div className="field policy-gesture">
              <label htmlFor="gesture-amount">Geste commercial (€)</label>
              <input
                id="gesture-amount"
                type="text"
                inputMode="decimal"
                autoComplete="off"
                value={gesture}
                placeholder="0"
                disabled={pick === ""}
                onChange={(e) => onGesture(e.target.value)}
                aria-describedby="gesture-hint"
                aria-invalid={gestureError ? true : undefined}
              />
              <p id="gesture-hint" className="field-help">
                Barème : jusqu'à {formatCents(decision.gesture.amount)} (sans validation d'un responsable : jusqu'à{" "}
                {formatCents(decision.gesture.clerk_limit)})
                {pick === "" ? " · choisissez d'abord une option" : null}
                <br />
                {decision.gesture.explanation}
              </p>
              {gestureError ? (
                <p className="field-error" role="alert">
                  <Icon name="alert" /> {gestureError}
                </p>
              ) : null}
            </div>
          ) : null}

          {onNote ? (
            <div className="field policy-note">
              <label htmlFor="decision-note">Note de la décision</label>
              <input
                id="decision-note"
                type="text"
                value={note ?? ""}
                disabled={pick === ""}
                onChange={(e) => onNote(e.target.value)}
                aria-describedby="decision-note-help"
              />
              <p id="decision-note-help" className="field-help">
                Imprimée sur le bon ; la raison d'un refus y est obligatoire.
              </p>
            </div>
          ) : null}

          {decision?.mediator ? <p className="policy-mediator muted">Médiation : {decision.mediator}</p> : null}
        </>
      ) : null}
    </section>
  );
}
