#!/usr/bin/env node
// The built entry (`pnpm --filter @dga/cli build`); from source, use `pnpm dga` at the repository root.
import "../dist/main.mjs";
