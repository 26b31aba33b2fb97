import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

// findBy*/waitFor give up after 1 s by default: on a loaded two-core
// machine a render can take longer than that without anything being wrong.
// A real failure still fails, only later.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => cleanup());
