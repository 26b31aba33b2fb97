// The live region every screen keeps for its French error message, so a
// screen reader announces it and the layout does not jump when it appears.
// A message that appears is scrolled into view: a refusal below the fold
// (the RGPD panel at the foot of a long card) must not go unseen.
import { useEffect, useRef } from "react";
import type { CommandError } from "../api";
import { Icon } from "./Icon";

export function AlertRegion({ error }: { error: CommandError | null | undefined }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) ref.current?.scrollIntoView?.({ block: "nearest" });
  }, [error]);
  return (
    <div className="alert-region" role="alert" ref={ref}>
      {error ? (
        <p className="alert">
          <Icon name="alert" /> {error.message}
        </p>
      ) : null}
    </div>
  );
}
