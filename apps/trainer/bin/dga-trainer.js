#!/usr/bin/env node
// The built entry (`pnpm --filter @dga/trainer build`); from source, use `pnpm --filter @dga/trainer start`.
import { runFromProcess } from "../dist/main.mjs";

await runFromProcess();
