// Thin typed wrapper over the Tauri commands. Every failure becomes a
// CommandError `{ code, message }` whose message is already French.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";

import type { AppInfo } from "./bindings/AppInfo";
import type { AuditFilter } from "./bindings/AuditFilter";
import type { AuditView } from "./bindings/AuditView";
import type { ClosedDossier } from "./bindings/ClosedDossier";
import type { CommandError } from "./bindings/CommandError";
import type { CustomerCard } from "./bindings/CustomerCard";
import type { CustomerCheck } from "./bindings/CustomerCheck";
import type { CustomerPatch } from "./bindings/CustomerPatch";
import type { DashboardReport } from "./bindings/DashboardReport";
import type { DecisionChoice } from "./bindings/DecisionChoice";
import type { DossierAction } from "./bindings/DossierAction";
import type { DossierDetail } from "./bindings/DossierDetail";
import type { DossierList } from "./bindings/DossierList";
import type { DossierSummary } from "./bindings/DossierSummary";
import type { DrillDown } from "./bindings/DrillDown";
import type { ErasureReport } from "./bindings/ErasureReport";
import type { CustomerExportWritten } from "./bindings/CustomerExportWritten";
import type { FollowUpItem } from "./bindings/FollowUpItem";
import type { FollowUpOutcome } from "./bindings/FollowUpOutcome";
import type { FollowUpRecorded } from "./bindings/FollowUpRecorded";
import type { SignalThresholds } from "./bindings/SignalThresholds";
import type { WeakSignal } from "./bindings/WeakSignal";
import type { WeakSignalList } from "./bindings/WeakSignalList";
import type { ExportWritten } from "./bindings/ExportWritten";
import type { Figure } from "./bindings/Figure";
import type { IntakeForm } from "./bindings/IntakeForm";
import type { ManagerApproval } from "./bindings/ManagerApproval";
import type { NewCustomer } from "./bindings/NewCustomer";
import type { OpenDossierInput } from "./bindings/OpenDossierInput";
import type { PaperFormat } from "./bindings/PaperFormat";
import type { PolicyInfo } from "./bindings/PolicyInfo";
import type { PolicyPreview } from "./bindings/PolicyPreview";
import type { PolicyQuery } from "./bindings/PolicyQuery";
import type { PrintedTicket } from "./bindings/PrintedTicket";
import type { ReportChoices } from "./bindings/ReportChoices";
import type { ReportExport } from "./bindings/ReportExport";
import type { ReportQuery } from "./bindings/ReportQuery";
import type { Resolution } from "./bindings/Resolution";
import type { SearchResponse } from "./bindings/SearchResponse";
import type { SessionView } from "./bindings/SessionView";
import type { Settings } from "./bindings/Settings";
import type { SyncView } from "./bindings/SyncView";
import type { TemplateView } from "./bindings/TemplateView";
import type { TicketChoice } from "./bindings/TicketChoice";
import type { UserView } from "./bindings/UserView";

export type { CommandError };

/** The counter settings the UI may change (the idle lock: `setIdleLock`, managers only). */
export type SettingKey = "printer";

export interface Api {
  appInfo(): Promise<AppInfo>;
  /** Signs in with login and PIN (checked by Rust, with the lockout); another user's session ends. */
  signIn(login: string, pin: string): Promise<SessionView | null>;
  signOut(): Promise<void>;
  /** Who is signed in and whether Rust locked the session (not an activity). */
  currentSession(): Promise<SessionView | null>;
  /** Reports keyboard or mouse activity (throttled by the caller). */
  touch(): Promise<SessionView | null>;
  /** « Verrouiller ». */
  lock(): Promise<SessionView | null>;
  /** Managers only (checked in Rust): the idle time before the session locks, in minutes. */
  setIdleLock(minutes: string): Promise<Settings>;
  /** Managers only (checked in Rust): lifts a user's lockout; the users as they now are. */
  unlockUser(login: string): Promise<UserView[]>;
  /** The weak signals of one customer (for the card). */
  customerSignals(customerId: string): Promise<WeakSignal[]>;
  /** The store's weak signals, most urgent first. */
  weakSignals(): Promise<WeakSignalList>;
  signalThresholds(): Promise<SignalThresholds>;
  /** Managers only: new thresholds, checked by Rust. */
  setSignalThresholds(thresholds: SignalThresholds): Promise<SignalThresholds>;
  /** The calls and messages due, oldest first. */
  followUpQueue(): Promise<FollowUpItem[]>;
  /** The outcome of a call, on the dossier's timeline. */
  recordFollowUp(dossierId: string, outcome: FollowUpOutcome, note: string | null): Promise<FollowUpRecorded>;
  /** Managers only: erases a customer on request (RGPD); `confirmed`: the manager's explicit yes. */
  eraseCustomer(customerId: string, confirmed: boolean): Promise<ErasureReport>;
  /** Managers only: everything held about a customer, saved where chosen; `null` if cancelled. */
  exportCustomer(customerId: string, format: "pdf" | "json"): Promise<CustomerExportWritten | null>;
  /** Managers only: a page of the audit log, filtered, with the chain checked. */
  auditLog(filter: AuditFilter): Promise<AuditView>;
  /** Managers only: every figure of the dashboard for a period and filters. */
  dashboard(query: ReportQuery): Promise<DashboardReport>;
  /** Managers only: the dossiers behind one figure. */
  drillDown(query: ReportQuery, figure: Figure): Promise<DrillDown>;
  /** Managers only: what the dashboard's filters and periods offer. */
  reportChoices(): Promise<ReportChoices>;
  /** Managers only: asks where to save (the system's dialog), writes the CSV; `null` if cancelled. */
  exportReport(query: ReportQuery, exportRequest: ReportExport): Promise<ExportWritten | null>;
  search(query: string): Promise<SearchResponse>;
  customerCard(customerId: string): Promise<CustomerCard>;
  /** What saving would point out: field problems, possible duplicates (nothing written). */
  checkNewCustomer(input: NewCustomer): Promise<CustomerCheck>;
  checkCustomerEdit(customerId: string, patch: CustomerPatch): Promise<CustomerCheck>;
  /** Saves in the signed-in user's name; `confirmDuplicates` is the clerk's explicit « save anyway ». */
  createCustomer(input: NewCustomer, confirmDuplicates: boolean): Promise<CustomerCard>;
  editCustomer(customerId: string, patch: CustomerPatch, confirmDuplicates: boolean): Promise<CustomerCard>;
  intakeForm(): Promise<IntakeForm>;
  openDossier(input: OpenDossierInput): Promise<DossierDetail>;
  dossierDetail(dossierId: string): Promise<DossierDetail>;
  dossierAction(dossierId: string, action: DossierAction, note: string | null): Promise<DossierDetail>;
  addNote(dossierId: string, note: string): Promise<DossierDetail>;
  assignDossier(dossierId: string, assignee: string | null): Promise<DossierDetail>;
  closeDossier(dossierId: string, resolution: Resolution): Promise<ClosedDossier>;
  recordSatisfaction(dossierId: string, score: number, comment: string | null): Promise<DossierDetail>;
  listDossiers(list: DossierList): Promise<DossierSummary[]>;
  messageTemplates(): Promise<TemplateView[]>;
  getSettings(): Promise<Settings>;
  setSetting(key: SettingKey, value: string): Promise<Settings>;
  listPrinters(): Promise<string[]>;
  printDossier(dossierId: string, kind: TicketChoice, format: PaperFormat): Promise<PrintedTicket>;
  /** The options the return policy gives for the case being taken in. */
  policyPreview(query: PolicyQuery): Promise<PolicyPreview>;
  /** The options the return policy gives for an existing dossier. */
  dossierPolicy(dossierId: string): Promise<PolicyPreview>;
  /** Records the clerk's choice; `approval` carries a manager's PIN when Rust asked for one. */
  decide(dossierId: string, choice: DecisionChoice, approval: ManagerApproval | null): Promise<DossierDetail>;
  /** The managers who can approve at this counter. */
  managers(): Promise<UserView[]>;
  /** Managers only (checked in Rust): everyone who works at this counter, with their lockouts. */
  users(): Promise<UserView[]>;
  currentPolicy(): Promise<PolicyInfo>;
  /** The sync with the central server: status, what the background task is doing. */
  syncStatus(): Promise<SyncView>;
  /** « Synchroniser maintenant ». */
  syncNow(): Promise<SyncView>;
  /** Enrols the counter with a one-time code (then the bootstrap starts). */
  syncEnrol(server: string, code: string, name: string): Promise<SyncView>;
  /** Calls `onChange` whenever a sync brought something new; returns the unsubscribe. */
  onSyncChanged(onChange: () => void): () => void;
}

function isCommandError(value: unknown): value is CommandError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as CommandError).code === "string" &&
    typeof (value as CommandError).message === "string"
  );
}

/** Whatever was thrown, as a `{ code, message }` a clerk can read. */
export function toCommandError(error: unknown): CommandError {
  if (isCommandError(error)) {
    return { code: error.code, message: error.message };
  }
  console.error("unexpected command failure", error);
  return {
    code: "unexpected",
    message: "Erreur inattendue de l'application. Réessayez ; si elle persiste, prévenez le support.",
  };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toCommandError(error);
  }
}

export const tauriApi: Api = {
  appInfo: () => call<AppInfo>("app_info"),
  signIn: (login, pin) => call<SessionView | null>("sign_in", { login, pin }),
  signOut: () => call<void>("sign_out"),
  currentSession: () => call<SessionView | null>("current_session"),
  touch: () => call<SessionView | null>("touch"),
  lock: () => call<SessionView | null>("lock"),
  setIdleLock: (minutes) => call<Settings>("set_idle_lock", { minutes }),
  unlockUser: (login) => call<UserView[]>("unlock_user", { login }),
  auditLog: (filter) => call<AuditView>("audit_log", { filter }),
  customerSignals: (customerId) => call<WeakSignal[]>("customer_signals", { customerId }),
  weakSignals: () => call<WeakSignalList>("weak_signals"),
  signalThresholds: () => call<SignalThresholds>("signal_thresholds"),
  setSignalThresholds: (thresholds) => call<SignalThresholds>("set_signal_thresholds", { thresholds }),
  followUpQueue: () => call<FollowUpItem[]>("follow_up_queue"),
  recordFollowUp: (dossierId, outcome, note) =>
    call<FollowUpRecorded>("record_follow_up", { dossierId, outcome, note }),
  eraseCustomer: (customerId, confirmed) => call<ErasureReport>("erase_customer", { customerId, confirmed }),
  exportCustomer: (customerId, format) =>
    call<CustomerExportWritten | null>("export_customer", { customerId, format }),
  dashboard: (query) => call<DashboardReport>("dashboard", { query }),
  drillDown: (query, figure) => call<DrillDown>("drill_down", { query, figure }),
  reportChoices: () => call<ReportChoices>("report_choices"),
  exportReport: (query, exportRequest) =>
    call<ExportWritten | null>("export_report", { query, export: exportRequest }),
  search: (query) => call<SearchResponse>("search", { query }),
  customerCard: (customerId) => call<CustomerCard>("customer_card", { customerId }),
  checkNewCustomer: (input) => call<CustomerCheck>("check_new_customer", { input }),
  checkCustomerEdit: (customerId, patch) => call<CustomerCheck>("check_customer_edit", { customerId, patch }),
  createCustomer: (input, confirmDuplicates) =>
    call<CustomerCard>("create_customer", { input, confirmDuplicates }),
  editCustomer: (customerId, patch, confirmDuplicates) =>
    call<CustomerCard>("edit_customer", { customerId, patch, confirmDuplicates }),
  intakeForm: () => call<IntakeForm>("intake_form"),
  openDossier: (input) => call<DossierDetail>("open_dossier", { input }),
  dossierDetail: (dossierId) => call<DossierDetail>("dossier_detail", { dossierId }),
  dossierAction: (dossierId, action, note) =>
    call<DossierDetail>("dossier_action", { dossierId, action, note }),
  addNote: (dossierId, note) => call<DossierDetail>("add_note", { dossierId, note }),
  assignDossier: (dossierId, assignee) =>
    call<DossierDetail>("assign_dossier", { dossierId, assignee }),
  closeDossier: (dossierId, resolution) =>
    call<ClosedDossier>("close_dossier", { dossierId, resolution }),
  recordSatisfaction: (dossierId, score, comment) =>
    call<DossierDetail>("record_satisfaction", { dossierId, score, comment }),
  listDossiers: (list) => call<DossierSummary[]>("list_dossiers", { list }),
  messageTemplates: () => call<TemplateView[]>("message_templates"),
  getSettings: () => call<Settings>("get_settings"),
  setSetting: (key, value) => call<Settings>("set_setting", { key, value }),
  listPrinters: () => call<string[]>("list_printers"),
  printDossier: (dossierId, kind, format) =>
    call<PrintedTicket>("print_dossier", { dossierId, kind, format }),
  policyPreview: (query) => call<PolicyPreview>("policy_preview", { query }),
  dossierPolicy: (dossierId) => call<PolicyPreview>("dossier_policy", { dossierId }),
  decide: (dossierId, choice, approval) => call<DossierDetail>("decide", { dossierId, choice, approval }),
  managers: () => call<UserView[]>("managers"),
  users: () => call<UserView[]>("users"),
  currentPolicy: () => call<PolicyInfo>("current_policy"),
  syncStatus: () => call<SyncView>("sync_status"),
  syncNow: () => call<SyncView>("sync_now"),
  syncEnrol: (server, code, name) => call<SyncView>("sync_enrol", { server, code, name }),
  onSyncChanged: (onChange) => {
    let stop: (() => void) | null = null;
    let stopped = false;
    listen("sync-changed", () => onChange()).then(
      (unlisten) => (stopped ? unlisten() : (stop = unlisten)),
      (e) => console.warn("sync events unavailable", e),
    );
    return () => {
      stopped = true;
      stop?.();
    };
  },
};
