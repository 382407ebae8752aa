#!/usr/bin/env node
// The `watchkeeper-demo` command. A committed shim (not the compiled file itself) so that npm can link
// it into node_modules/.bin during `npm ci`, before the `prepare` script has compiled dist/.
import('../dist/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('watchkeeper-demo: packages/demo/dist is missing; run `npm run build` (or `npm ci`) first');
    process.exit(1);
  }
  throw err;
});
