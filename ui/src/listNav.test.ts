import { describe, expect, it } from "vitest";

import { moveSelection } from "./listNav";

describe("moveSelection", () => {
  it.each([
    // [current, key, length, expected]
    [-1, "ArrowDown", 3, 0],
    [0, "ArrowDown", 3, 1],
    [2, "ArrowDown", 3, 2],
    [-1, "ArrowUp", 3, 0],
    [0, "ArrowUp", 3, 0],
    [2, "ArrowUp", 3, 1],
    [1, "Home", 3, 0],
    [0, "End", 3, 2],
    [-1, "PageDown", 12, 4],
    [3, "PageDown", 12, 8],
    [9, "PageDown", 12, 11],
    [7, "PageUp", 12, 2],
    [2, "PageUp", 12, 0],
  ] as const)("from %i, %s in %i results → %i", (current, key, length, expected) => {
    expect(moveSelection(current, key, length)).toBe(expected);
  });

  it("selects nothing in an empty list", () => {
    expect(moveSelection(-1, "ArrowDown", 0)).toBe(-1);
    expect(moveSelection(3, "ArrowUp", 0)).toBe(-1);
  });
});
