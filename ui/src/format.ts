// French display formats. The only formatting the UI does: dates and times
// in the store's time zone, amounts from integer cents. Every label comes
// from Rust already in French, except the few names below that Rust sends
// only as codes (display only: they decide nothing).


export const DEFAULT_TIME_ZONE = "Europe/Paris";

export interface Formatter {
  timeZone: string;
  /** 23/11/2026 */
  date(iso: string): string;
  /** 14:05 */
  time(iso: string): string;
  /** 23/11/2026 à 14:05 */
  dateTime(iso: string): string;
}

function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("fr-FR", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Date and time formats in the given IANA zone (Europe/Paris if unknown). */
export function makeFormatter(timeZone: string | null | undefined): Formatter {
  const zone = timeZone && isValidTimeZone(timeZone) ? timeZone : DEFAULT_TIME_ZONE;
  const dateFormat = new Intl.DateTimeFormat("fr-FR", {
    timeZone: zone,
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
  });
  const timeFormat = new Intl.DateTimeFormat("fr-FR", {
    timeZone: zone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const date = (iso: string) => dateFormat.format(new Date(iso));
  const time = (iso: string) => timeFormat.format(new Date(iso));
  return {
    timeZone: zone,
    date,
    time,
    dateTime: (iso: string) => `${date(iso)} à ${time(iso)}`,
  };
}

const euro = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });

/** 123456 → "1 234,56 €" (with the narrow no-break spaces of the French locale). */
export function formatCents(cents: number): string {
  return euro.format(cents / 100);
}

const integer = new Intl.NumberFormat("fr-FR");

/** 2000 → "2 000" */
export function formatCount(n: number | bigint): string {
  return integer.format(n);
}

/** A time left, rounded as a person says it: « moins d'une minute », « environ 4 min », « environ 1 h 05 ». */
export function formatTimeLeft(seconds: number): string {
  if (seconds < 60) return "moins d’une minute";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `environ ${minutes} min`;
  return `environ ${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")}`;
}

/** "1 client", "3 clients" */
export function plural(n: number, one: string, many: string): string {
  return `${n} ${n > 1 ? many : one}`;
}

/** 3000 → "30,00": an amount in cents written back into a euros field. */
export function centsToEurosText(cents: number): string {
  return (cents / 100).toFixed(2).replace(".", ",");
}


/** "2028-06-15" (a calendar date, no time zone) → "15/06/2028". */
export function formatDay(day: string): string {
  const [y, m, d] = day.split("-");
  return y && m && d ? `${d}/${m}/${y}` : day;
}

/** Working seconds as hours: 5400 → « 1 h 30 », 600 → « 10 min »; none → « — ». */
export function formatWorkingDuration(seconds: number | bigint | null): string {
  if (seconds === null) return "—";
  const minutes = Math.round(Number(seconds) / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")}`;
}

/** 0.4567 → « 45,7 % »; none → « — ». */
export function formatRate(rate: number | null): string {
  if (rate === null) return "—";
  return `${(rate * 100).toLocaleString("fr-FR", { maximumFractionDigits: 1 })} %`;
}

/** 3.456 → « 3,5 »; none → « — ». */
export function formatDecimal(value: number | null, digits = 1): string {
  if (value === null) return "—";
  return value.toLocaleString("fr-FR", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
