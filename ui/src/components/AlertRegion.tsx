// The live region every screen keeps for its French error message, so a
// screen reader announces it and the layout does not jump when it appears.
import type { CommandError } from "../api";
import { Icon } from "./Icon";

export function AlertRegion({ error }: { error: CommandError | null | undefined }) {
  return (
    <div className="alert-region" role="alert">
      {error ? (
        <p className="alert">
          <Icon name="alert" /> {error.message}
        </p>
      ) : null}
    </div>
  );
}
