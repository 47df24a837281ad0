#!/usr/bin/env node
// Runs every compiled test (unit, integration, e2e) with node's test runner.
// One file at a time: integration tests load BPF programs and start servers,
// and two at once on a 2-core machine would skew each other's timings.
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');
const fs = require('fs');

const root = path.resolve(__dirname, '..');
const suites = process.argv.slice(2);
const dirs = (suites.length ? suites : ['unit', 'integration', 'e2e'])
  .map((s) => path.join(root, 'dist', 'test', s))
  .filter((d) => fs.existsSync(d));
const args = ['--test', '--test-concurrency=1', '--test-reporter=spec', ...dirs];
const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
