import { describe, expect, it } from "vitest";

import { addAccessory, charCount, isSubmitShortcut, nextTab, parseEuros, readGesture, splitParts } from "./dossierForm";

describe("parseEuros", () => {
  it.each([
    ["12", 1200],
    ["12,5", 1250],
    ["12,50", 1250],
    ["12.05", 1205],
    ["0,99", 99],
    ["1 234,56", 123456],
    ["1\u202f234,56 €", 123456],
    ["  45 € ", 4500],
    ["7,", 700],
  ])("reads %j as %i cents", (text, cents) => {
    expect(parseEuros(text)).toBe(cents);
  });

  it.each(["", "abc", "-5", "12,345", "1,2,3", "12 €50", "1e3", "€"])("refuses %j", (text) => {
    expect(parseEuros(text)).toBeNull();
  });
});

describe("isSubmitShortcut", () => {
  it("is Ctrl+Enter or Cmd+Enter only", () => {
    expect(isSubmitShortcut({ key: "Enter", ctrlKey: true, metaKey: false })).toBe(true);
    expect(isSubmitShortcut({ key: "Enter", ctrlKey: false, metaKey: true })).toBe(true);
    expect(isSubmitShortcut({ key: "Enter", ctrlKey: false, metaKey: false })).toBe(false);
    expect(isSubmitShortcut({ key: "s", ctrlKey: true, metaKey: false })).toBe(false);
  });
});

describe("charCount", () => {
  it("counts characters, not UTF-16 units, against the limit", () => {
    expect(charCount("Écran 👍", 2000)).toEqual({ label: "7 / 2\u202f000", over: false });
    expect(charCount("abc", 2).over).toBe(true);
  });
});

describe("nextTab", () => {
  it("moves with the arrows, wraps, jumps with Home/End", () => {
    expect(nextTab(0, "ArrowRight", 4)).toBe(1);
    expect(nextTab(3, "ArrowRight", 4)).toBe(0);
    expect(nextTab(0, "ArrowLeft", 4)).toBe(3);
    expect(nextTab(2, "Home", 4)).toBe(0);
    expect(nextTab(1, "End", 4)).toBe(3);
    expect(nextTab(1, "Enter", 4)).toBeNull();
    expect(nextTab(0, "ArrowRight", 0)).toBeNull();
  });
});

describe("addAccessory", () => {
  it("trims, ignores empties and duplicates, respects the maximum", () => {
    expect(addAccessory([], "  Chargeur ", 20)).toEqual(["Chargeur"]);
    expect(addAccessory(["Chargeur"], "chargeur", 20)).toEqual(["Chargeur"]);
    expect(addAccessory(["Chargeur"], "   ", 20)).toEqual(["Chargeur"]);
    expect(addAccessory(["A"], "B", 1)).toEqual(["A"]);
  });
});

describe("splitParts", () => {
  it("splits on new lines and semicolons", () => {
    expect(splitParts("Batterie\n Joint ; \nVis")).toEqual(["Batterie", "Joint", "Vis"]);
    expect(splitParts("  ")).toEqual([]);
  });
});

describe("readGesture", () => {
  it("reads euros into cents when the scale offers a gesture", () => {
    expect(readGesture("20", true)).toBe(2000);
    expect(readGesture("12,50 €", true)).toBe(1250);
  });

  it("is no gesture when the field is empty or the scale offers none", () => {
    expect(readGesture("", true)).toBeNull();
    expect(readGesture("  ", true)).toBeNull();
    expect(readGesture("20", false)).toBeNull();
  });

  it("flags what is not an amount", () => {
    expect(readGesture("vingt", true)).toBe("invalid");
    expect(readGesture("-5", true)).toBe("invalid");
  });
});
