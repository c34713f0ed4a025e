/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

export default defineConfig({
  plugins: [svelte()],
  // The message catalogues live in ../assets/i18n, shared with the Rust side.
  server: { fs: { allow: [".."] }, port: 5173, strictPort: true },
  build: { target: "safari15", outDir: "dist", emptyOutDir: true },
  test: {
    environment: "jsdom",
    // Globals let @testing-library/svelte unmount each component after its test.
    globals: true,
    include: ["src/**/*.test.ts"],
  },
  // Component tests mount Svelte's browser build, not its server renderer.
  resolve: process.env.VITEST ? { conditions: ["browser"] } : undefined,
});
