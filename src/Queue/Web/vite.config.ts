import { resolve } from "node:path";
import { defineConfig } from "vite";

// Two pages, served by the service: /wallboard and /console answer the HTML, /app/assets/* the scripts and styles.
export default defineConfig({
  base: "/app/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    rollupOptions: {
      input: {
        wallboard: resolve(import.meta.dirname, "wallboard.html"),
        console: resolve(import.meta.dirname, "console.html"),
      },
    },
  },
});
