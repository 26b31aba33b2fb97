import { describe, expect, it } from "vitest";

import { centsToEurosText, formatCents, formatCount, formatTimeLeft, makeFormatter, plural } from "./format";

// The French locale separates thousands with a narrow no-break space and puts
// a no-break space before the euro sign; compare with plain spaces.
const plain = (s: string) => s.replace(/[\u202f\u00a0]/g, " ");

describe("formatCents", () => {
  it("formats integer cents as French euros", () => {
    expect(plain(formatCents(123456))).toBe("1 234,56 €");
    expect(plain(formatCents(0))).toBe("0,00 €");
    expect(plain(formatCents(5))).toBe("0,05 €");
    expect(plain(formatCents(129999))).toBe("1 299,99 €");
    expect(plain(formatCents(100000000))).toBe("1 000 000,00 €");
  });

  it("keeps the sign of refunds", () => {
    expect(plain(formatCents(-4990))).toBe("-49,90 €");
  });

  it("uses no-break spaces so an amount never wraps", () => {
    expect(formatCents(123456)).not.toContain(" ");
  });
});

describe("makeFormatter", () => {
  it("shows dates and times in the store's time zone", () => {
    const paris = makeFormatter("Europe/Paris");
    // 23:30 UTC on 22 November is already the 23rd in Paris (UTC+1 in winter).
    expect(paris.date("2026-11-22T23:30:00Z")).toBe("23/11/2026");
    expect(paris.time("2026-11-22T23:30:00Z")).toBe("00:30");
    expect(paris.dateTime("2026-11-23T13:05:00Z")).toBe("23/11/2026 à 14:05");
  });

  it("follows summer time", () => {
    const paris = makeFormatter("Europe/Paris");
    expect(paris.time("2026-07-14T12:05:00Z")).toBe("14:05");
  });

  it("uses another zone when the store is elsewhere", () => {
    const reunion = makeFormatter("Indian/Reunion");
    expect(reunion.dateTime("2026-11-23T13:05:00Z")).toBe("23/11/2026 à 17:05");
  });

  it("falls back to Paris for a missing or unknown zone", () => {
    expect(makeFormatter(null).timeZone).toBe("Europe/Paris");
    expect(makeFormatter(undefined).timeZone).toBe("Europe/Paris");
    const bad = makeFormatter("Mars/Olympus_Mons");
    expect(bad.timeZone).toBe("Europe/Paris");
    expect(bad.time("2026-11-23T13:05:00Z")).toBe("14:05");
  });

  it("writes midnight as 00, not 24", () => {
    expect(makeFormatter("UTC").time("2026-01-01T00:00:00Z")).toBe("00:00");
  });
});

describe("counts", () => {
  it("groups thousands and agrees in number", () => {
    expect(plain(formatCount(2000))).toBe("2 000");
    expect(plain(formatCount(2000n))).toBe("2 000");
    expect(plural(1, "client trouvé", "clients trouvés")).toBe("1 client trouvé");
    expect(plural(3, "client trouvé", "clients trouvés")).toBe("3 clients trouvés");
  });
});

describe("policy display", () => {
  it("writes cents back as a euros field reads them", () => {
    expect(centsToEurosText(2000)).toBe("20,00");
    expect(centsToEurosText(76905)).toBe("769,05");
    expect(centsToEurosText(5)).toBe("0,05");
  });
});

describe("formatTimeLeft", () => {
  it("rounds a time left as a person says it", () => {
    expect(formatTimeLeft(12)).toBe("moins d’une minute");
    expect(formatTimeLeft(89)).toBe("environ 1 min");
    expect(formatTimeLeft(91)).toBe("environ 2 min");
    expect(formatTimeLeft(3900)).toBe("environ 1 h 05");
  });
});
