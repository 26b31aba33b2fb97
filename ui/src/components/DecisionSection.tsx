// The dossier's decision under the return policy, as recorded by Rust, and
// the form to take it (or change it) while the dossier is open: the same
// options as at intake, a note, and a manager's approval when Rust asks.
import { useEffect, useRef, useState, type FormEvent } from "react";

import type { Api, CommandError } from "../api";
import { toCommandError } from "../api";
import type { DecisionRecord } from "../bindings/DecisionRecord";
import type { DossierDetail } from "../bindings/DossierDetail";
import type { DossierView } from "../bindings/DossierView";
import { GESTURE_NOT_AN_AMOUNT, isSubmitShortcut, readGesture } from "../dossierForm";
import { formatCents, type Formatter } from "../format";
import { useApproval } from "./ApprovalDialog";
import { Icon } from "./Icon";
import { POLICY_LOADING, PolicyOptions, rulingOptions, type PolicyPick, type PolicyState } from "./PolicyOptions";

interface Props {
  api: Api;
  dossier: DossierView;
  fmt: Formatter;
  onDecided(detail: DossierDetail): void;
}

export function DecisionSection({ api, dossier, fmt, onDecided }: Props) {
  const [deciding, setDeciding] = useState(false);
  const sectionRef = useRef<HTMLElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const d = dossier.decision;

  return (
    <section
      id="decision"
      ref={sectionRef}
      tabIndex={-1}
      className={`panel decision${d ? " decided" : ""}`}
      aria-labelledby="decision-title"
    >
      <h2 id="decision-title">Décision</h2>
      {d ? <DecisionView decision={d} fmt={fmt} /> : <p className="muted">Aucune décision pour l'instant.</p>}
      {dossier.can_decide && !deciding ? (
        <button
          type="button"
          id="decide-button"
          ref={buttonRef}
          className="button"
          onClick={() => setDeciding(true)}
        >
          {d ? "Changer la décision" : "Décider"}
        </button>
      ) : null}
      {dossier.can_decide && deciding ? (
        <DecideForm
          api={api}
          dossierId={dossier.id}
          onCancel={() => {
            setDeciding(false);
            requestAnimationFrame(() => buttonRef.current?.focus());
          }}
          onDecided={(detail) => {
            setDeciding(false);
            onDecided(detail);
            requestAnimationFrame(() => sectionRef.current?.focus());
          }}
        />
      ) : null}
    </section>
  );
}

function DecisionView({ decision: d, fmt }: { decision: DecisionRecord; fmt: Formatter }) {
  const source = d.article ?? (d.rule ? `règle ${d.rule}` : null);
  return (
    <div className="decision-record">
      <p className="decision-headline">
        <strong>{d.resolution_label}</strong>
        {d.amount !== null ? <span className="option-amount"> {formatCents(d.amount)}</span> : null}
      </p>
      <p className="decision-basis">
        <span className={`badge basis basis-${d.basis}`}>{d.basis_label}</span>
        {source ? <span className="muted"> {source}</span> : null}
      </p>
      <p className="decision-policy muted">
        Politique {d.policy_id} {d.policy_version}
      </p>
      <p className="option-explanation">{d.explanation}</p>
      {d.gesture !== null ? (
        <p className="decision-gesture">
          Geste commercial : <strong>{formatCents(d.gesture)}</strong>
        </p>
      ) : null}
      {d.note ? <p className="decision-note pre">Note : {d.note}</p> : null}
      <p className="decision-by">
        Décidé par {d.decided_by} le {fmt.dateTime(d.decided_at)}
      </p>
      {d.approved_by ? (
        <p className="decision-approved">
          <Icon name="user" /> Validé par {d.approved_by}
        </p>
      ) : null}
      {d.mediator ? <p className="policy-mediator muted">Médiation : {d.mediator}</p> : null}
    </div>
  );
}

function DecideForm({
  api,
  dossierId,
  onCancel,
  onDecided,
}: {
  api: Api;
  dossierId: string;
  onCancel(): void;
  onDecided(detail: DossierDetail): void;
}) {
  const [policy, setPolicy] = useState<PolicyState>(POLICY_LOADING);
  const [pick, setPick] = useState<PolicyPick>("");
  const [gesture, setGesture] = useState("");
  const [note, setNote] = useState("");
  const [problem, setProblem] = useState<CommandError | null>(null);
  const [gestureError, setGestureError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const approval = useApproval(api);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    let live = true;
    api.dossierPolicy(dossierId).then(
      (preview) => live && setPolicy({ preview, error: null, loading: false }),
      (e) => live && setPolicy({ preview: null, error: toCommandError(e), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [api, dossierId]);

  // The keyboard lands on the options (the first one the clerk may pick).
  useEffect(() => {
    if (policy.loading) return;
    formRef.current?.querySelector<HTMLInputElement>('input[name="policy-option"]:not(:disabled)')?.focus();
  }, [policy.loading]);

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    if (busy) return;
    if (pick === "") {
      setProblem({ code: "no_option", message: "Choisissez une option de la politique de retour." });
      return;
    }
    const cents = readGesture(gesture, Boolean(policy.preview?.decision?.gesture));
    if (cents === "invalid") {
      setGestureError(GESTURE_NOT_AN_AMOUNT);
      return;
    }
    setProblem(null);
    setGestureError(null);
    setBusy(true);
    const choice = { resolution: pick, gesture: cents, note: note.trim() || null };
    const outcome = await approval.run(
      (manager) => api.decide(dossierId, choice, manager),
      () => setBusy(false),
    );
    if (outcome.status === "done") {
      onDecided(outcome.value);
      return;
    }
    if (outcome.status === "failed") setProblem(outcome.error);
    setBusy(false);
  }

  return (
    <>
      <form
        ref={formRef}
        className="decide-form"
        onSubmit={(e) => void submit(e)}
        onKeyDown={(e) => {
          if (isSubmitShortcut(e)) {
            e.preventDefault();
            void submit();
          }
        }}
        noValidate
      >
        <PolicyOptions
          state={policy}
          pick={pick}
          onPick={(p) => {
            setPick(p);
            setProblem(null);
          }}
          allowLater={false}
          gesture={gesture}
          onGesture={(text) => {
            setGesture(text);
            setGestureError(null);
          }}
          gestureError={gestureError}
        />
        <label htmlFor="decide-note" className="field-label">
          Note (facultatif)
        </label>
        <input id="decide-note" type="text" value={note} onChange={(e) => setNote(e.target.value)} />
        {problem ? (
          <p id="decide-error" className="field-error" role="alert">
            <Icon name="alert" /> {problem.message}
          </p>
        ) : null}
        <div className="form-actions">
          <button
            type="submit"
            id="decide-submit"
            className="button primary"
            disabled={busy || rulingOptions(policy.preview).length === 0}
          >
            <Icon name="done" /> {busy ? "Enregistrement…" : "Enregistrer la décision"} <kbd>Ctrl</kbd>+
            <kbd>Entrée</kbd>
          </button>
          <button type="button" id="decide-cancel" className="button" onClick={onCancel}>
            Annuler
          </button>
        </div>
      </form>
      {approval.dialog}
    </>
  );
}
