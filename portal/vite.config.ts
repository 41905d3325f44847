/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The portal has no server of its own: the API answers on the same origin (the local gateway
// or CloudFront), so `vite dev` forwards the API's paths to a running `make dev` stack.
const api = process.env.AGENTGATE_API ?? "http://127.0.0.1:8000";
const apiPaths = ["/api", "/oauth2", "/.well-known", "/openapi.json", "/health", "/agents"];

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 2000 },
  server: { proxy: Object.fromEntries(apiPaths.map((path) => [path, api])) },
  test: { environment: "jsdom", include: ["src/**/*.test.{ts,tsx}"] },
});
