// Pure helpers of the dossier screens: reading what the clerk types (euros,
// shortcuts, tabs). No business rule: limits and labels come from Rust.

/**
 * An amount typed in euros → integer cents, or null if it is not one.
 * Accepts "12", "12,5", "12,50 €", "1 234,56", "12.50"; refuses negative
 * amounts, more than two decimals and anything else.
 */
export function parseEuros(text: string): number | null {
  const cleaned = text
    .replace(/[\s\u00a0\u202f]/g, "")
    .replace(/€$/, "")
    .replace(",", ".");
  if (cleaned === "") return null;
  const match = /^(\d+)(?:\.(\d{0,2}))?$/.exec(cleaned);
  if (!match) return null;
  const euros = Number(match[1]);
  const cents = Number((match[2] ?? "").padEnd(2, "0"));
  const total = euros * 100 + cents;
  return Number.isSafeInteger(total) ? total : null;
}

/**
 * The gesture typed next to a policy option, in cents: null when the field
 * is empty (or the scale offers none), "invalid" when it is not an amount.
 * Whether the amount is allowed is Rust's call.
 */
export function readGesture(text: string, onScale: boolean): number | null | "invalid" {
  if (!onScale || text.trim() === "") return null;
  const cents = parseEuros(text);
  return cents === null ? "invalid" : cents;
}

export const GESTURE_NOT_AN_AMOUNT = "Geste commercial : saisissez un montant en euros, par exemple 20.";

/** Ctrl+Enter (or Cmd+Enter): submit the form from any of its fields. */
export function isSubmitShortcut(event: { key: string; ctrlKey: boolean; metaKey: boolean }): boolean {
  return event.key === "Enter" && (event.ctrlKey || event.metaKey);
}

/** "123 / 2 000" and whether the text is over the limit. */
export function charCount(text: string, max: number): { label: string; over: boolean } {
  const n = [...text].length;
  const fmt = new Intl.NumberFormat("fr-FR");
  return { label: `${fmt.format(n)} / ${fmt.format(max)}`, over: n > max };
}

/** The tab after pressing ←/→/Home/End in a tab list (wraps around), or null for another key. */
export function nextTab(current: number, key: string, count: number): number | null {
  if (count <= 0) return null;
  switch (key) {
    case "ArrowRight":
      return (current + 1) % count;
    case "ArrowLeft":
      return (current - 1 + count) % count;
    case "Home":
      return 0;
    case "End":
      return count - 1;
    default:
      return null;
  }
}

/** Adds an accessory to the list (trimmed, no empty, no duplicate ignoring case). */
export function addAccessory(list: string[], text: string, max: number): string[] {
  const item = text.trim();
  if (item === "" || list.length >= max) return list;
  if (list.some((a) => a.toLocaleLowerCase("fr") === item.toLocaleLowerCase("fr"))) return list;
  return [...list, item];
}

/** A list of parts typed one per line (or separated by ";"). */
export function splitParts(text: string): string[] {
  return text
    .split(/[\n;]/)
    .map((p) => p.trim())
    .filter((p) => p !== "");
}
