/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// During `npm run dev` the API runs elsewhere (`ivrgraph serve`); forward /api so cookies stay same-origin.
const apiTarget = process.env.IVRGRAPH_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  // Relative asset URLs: the API may serve the built designer under any prefix.
  base: "./",
  server: { proxy: { "/api": { target: apiTarget, changeOrigin: false } } },
  build: { outDir: "dist", sourcemap: true, chunkSizeWarningLimit: 2000 },
  test: { include: ["src/**/*.test.ts"], environment: "node" },
});
