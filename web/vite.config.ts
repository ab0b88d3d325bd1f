/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  server: { host: "127.0.0.1", port: 5173 },
  // Find every npm package at start (pages loaded later too, e.g. the lazy API
  // explorer): a package found only on a visit makes the dev server bundle
  // again and reload pages that are loading at that moment.
  optimizeDeps: { entries: ["index.html", "src/**/*.{ts,tsx}", "!src/**/*.test.{ts,tsx}", "!src/test/**"] },
  preview: { host: "127.0.0.1", port: 4173 },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
    restoreMocks: true,
    // whole-app tests in jsdom take seconds on a busy machine
    testTimeout: 30_000,
  },
});
