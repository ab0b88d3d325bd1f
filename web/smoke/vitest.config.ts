import { defineConfig } from "vitest/config";

// `npm run smoke`: the real stack through the gateway (CHORUS_GATEWAY_URL).
export default defineConfig({
  test: {
    root: ".",
    environment: "node",
    include: ["smoke/**/*.smoke.test.ts"],
    testTimeout: 30_000,
  },
});
