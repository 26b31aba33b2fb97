// Small inline SVG icons (no font or network needed). Always paired with a
// word: an icon never carries meaning alone.
import type { Channel } from "../bindings/Channel";
import type { ContactKind } from "../bindings/ContactKind";
import type { DossierOrigin } from "../bindings/DossierOrigin";

const PATHS = {
  store: "M3 9l1.5-5h15L21 9M3 9h18M3 9v0a3 3 0 006 0 3 3 0 006 0 3 3 0 006 0M5 12v8h14v-8M10 20v-5h4v5",
  web: "M12 3a9 9 0 100 18 9 9 0 000-18zM3 12h18M12 3c2.5 2.5 3.5 5.5 3.5 9s-1 6.5-3.5 9c-2.5-2.5-3.5-5.5-3.5-9s1-6.5 3.5-9z",
  parcel: "M3 7l9-4 9 4-9 4-9-4zM3 7v10l9 4 9-4V7M12 11v10",
  phone:
    "M5 3h4l2 5-2.5 1.5a11 11 0 006 6L16 13l5 2v4a2 2 0 01-2 2A16 16 0 013 5a2 2 0 012-2z",
  mail: "M3 6h18v12H3zM3 6l9 7 9-7",
  open: "M12 3a9 9 0 100 18 9 9 0 000-18zM12 7v5l3 3",
  done: "M12 3a9 9 0 100 18 9 9 0 000-18zM8 12l3 3 5-6",
  alert: "M12 3l10 18H2L12 3zM12 10v5M12 18v.5",
  yes: "M5 12l5 5 9-10",
  no: "M6 6l12 12M18 6L6 18",
  search: "M10 4a6 6 0 100 12 6 6 0 000-12zM15 15l6 6",
  back: "M15 5l-7 7 7 7",
  print: "M6 9V3h12v6M6 18H4v-7h16v7h-2M7 14h10v7H7z",
  list: "M8 6h13M8 12h13M8 18h13M3 6h.01M3 12h.01M3 18h.01",
  user: "M12 3a4 4 0 100 8 4 4 0 000-8zM4 21c0-4 4-6 8-6s8 2 8 6",
  lock: "M6 11h12v10H6zM8 11V7a4 4 0 018 0v4",
  switch: "M4 8h13l-3-3M20 16H7l3 3",
  settings: "M4 6h10M18 6h2M4 12h4M12 12h8M4 18h12M20 18h0M14 4v4M8 10v4M16 16v4",
  plus: "M12 5v14M5 12h14",
  sync: "M20 7a8 8 0 00-14.5-2M4 4v4h4M4 17a8 8 0 0014.5 2M20 20v-4h-4",
  offline: "M3 3l18 18M8.5 8.6A5 5 0 006 17h11M14 6.2A6 6 0 0119 12a4 4 0 011.6 3.8",
  online: "M6 17h11a4 4 0 00.5-8A6 6 0 006.3 10.5 3.5 3.5 0 006 17z",
  chart: "M4 20V4M4 20h16M8 16v-5M12 16V8M16 16v-3M20 16V6",
  download: "M12 4v11M7 10l5 5 5-5M5 20h14",
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, className }: { name: IconName; className?: string }) {
  return (
    <svg
      className={`icon ${className ?? ""}`}
      viewBox="0 0 24 24"
      width="1em"
      height="1em"
      aria-hidden="true"
      focusable="false"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}

export function channelIcon(channel: Channel): IconName {
  switch (channel) {
    case "store":
      return "store";
    case "web":
      return "web";
    case "marketplace":
      return "parcel";
  }
}

export function originIcon(origin: DossierOrigin): IconName {
  switch (origin) {
    case "store":
      return "store";
    case "web":
      return "web";
    case "phone":
      return "phone";
  }
}

export function contactIcon(kind: ContactKind): IconName {
  return kind === "phone" ? "phone" : "mail";
}
