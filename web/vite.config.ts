import { defineConfig } from 'vite';

// The UI is served by the Modelyard server itself (same origin as the API, no CDN).
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1000,
    rolldownOptions: {
      // TanStack Query marks its hooks "use client" for React Server Components; this UI has
      // none, so the directive means nothing in the bundle and the warning about dropping it is noise.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  esbuild: { jsx: 'automatic' },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/-': 'http://127.0.0.1:8080' } },
});
