#!/usr/bin/env node
// The `weblog` command. The library is TypeScript; tsx compiles it as it loads.
import {register} from "tsx/esm/api";

register();
await import("../data-loaders/cli/main.ts");
