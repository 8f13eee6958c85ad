import { defineConfig } from 'vite';

// The UI is served by the Modelyard server itself (same origin as the API, no CDN).
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1000 },
  esbuild: { jsx: 'automatic' },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/-': 'http://127.0.0.1:8080' } },
});
