import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import type { Router } from 'express';
import expressStaticGzip from 'express-static-gzip';

/** For hashed file names (Vite's `assets/name-<hash>.js`): their content never changes. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Serves the built browser app from `clientDir` (client/dist): files as they were written by
 * the build, precompressed there as `.br` and `.gz` (client/vite.config.ts), so each request
 * sends the smaller file its browser accepts without compressing anything per request
 * (express-static-gzip picks it by Accept-Encoding and sets `Vary`); everything under
 * `/assets` (content-hashed names) cached for a year as immutable, anything else revalidated
 * (`no-cache`); every other path answers the app's index.html, which routes by path.
 *
 * The precompressed files are listed when this is called: a client rebuilt later is served
 * uncompressed until the server restarts (still correct, only larger).
 */
export function clientApp(clientDir: string): Router {
  const router = express.Router();
  const assets = path.join(clientDir, 'assets') + path.sep;
  const index = path.join(clientDir, 'index.html');
  router.use(
    expressStaticGzip(clientDir, {
      enableBrotli: true,
      orderPreference: ['br', 'gz'],
      index: false,
      serveStatic: {
        index: false,
        cacheControl: false,
        setHeaders: (res, file) =>
          res.setHeader('Cache-Control', file.startsWith(assets) ? IMMUTABLE : 'no-cache'),
      },
    }),
  );
  router.get(/.*/, (_req, res) => {
    if (!fs.existsSync(index)) {
      res.status(503).type('text/plain').send('The browser app is not built: run "npm run build:client".');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
