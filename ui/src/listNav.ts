// Keyboard movement in the result list. -1 means "nothing selected yet".

export type NavKey = "ArrowDown" | "ArrowUp" | "Home" | "End" | "PageDown" | "PageUp";

const PAGE = 5;

export function isNavKey(key: string): key is NavKey {
  return ["ArrowDown", "ArrowUp", "Home", "End", "PageDown", "PageUp"].includes(key);
}

/** The index selected after pressing `key`; stays within the list, no wrap. */
export function moveSelection(current: number, key: NavKey, length: number): number {
  if (length <= 0) return -1;
  const last = length - 1;
  switch (key) {
    case "ArrowDown":
      return current < 0 ? 0 : Math.min(current + 1, last);
    case "ArrowUp":
      return current <= 0 ? 0 : current - 1;
    case "Home":
      return 0;
    case "End":
      return last;
    case "PageDown":
      return current < 0 ? Math.min(PAGE - 1, last) : Math.min(current + PAGE, last);
    case "PageUp":
      return current < 0 ? 0 : Math.max(current - PAGE, 0);
  }
}
