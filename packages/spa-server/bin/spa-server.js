#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// Before anything is loaded: the young generation keeps its first size instead of growing to 16 MiB
// per semi-space during start-up and bursts; V8 never gives that memory back while the daemon idles.
// The daemon's garbage is small and short-lived, so a small nursery only means shorter, more frequent
// scavenges. (--max-semi-space-size would need the command line: V8 reads it when the heap is made.)
setFlagsFromString('--semi-space-growth-factor=1');
await import('../dist/cli.js');
