import path from 'node:path';
import { defineConfig } from 'vite';
import { compression } from 'vite-plugin-compression2';

/**
 * The browser app: one page, routed by path (/login, /studio, /classroom), each page's code in
 * its own chunk (see main.ts). Every text asset is also written precompressed (`.br`, `.gz`) at
 * build time, at the highest levels, so the server sends the smaller file without compressing
 * per request (server/http/app.ts serves them with express-static-gzip).
 */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [
    compression({
      algorithms: ['brotliCompress', 'gzip'],
      include: /\.(html|css|js|mjs|json|svg|wasm|ttf|pfb|bcmap)$/,
      threshold: 1024,
      logLevel: 'silent',
    }),
  ],
  build: {
    outDir: path.join(import.meta.dirname, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: { '/api': 'http://localhost:3000', '/socket.io': { target: 'ws://localhost:3000', ws: true } },
  },
});
