// Thin typed wrapper over the Tauri commands. Every failure becomes a
// CommandError `{ code, message }` whose message is already French.
import { invoke } from "@tauri-apps/api/core";

import type { AppInfo } from "./bindings/AppInfo";
import type { CommandError } from "./bindings/CommandError";
import type { CustomerCard } from "./bindings/CustomerCard";
import type { SearchResponse } from "./bindings/SearchResponse";

export type { CommandError };

export interface Api {
  appInfo(): Promise<AppInfo>;
  search(query: string): Promise<SearchResponse>;
  customerCard(customerId: string): Promise<CustomerCard>;
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
  search: (query) => call<SearchResponse>("search", { query }),
  customerCard: (customerId) => call<CustomerCard>("customer_card", { customerId }),
};
