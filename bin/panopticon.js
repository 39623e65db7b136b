#!/usr/bin/env node
// The `panopticon` command: the CLI compiled to dist/ by `npm run build` (run on install).
import '../dist/src/cli/main.js';
