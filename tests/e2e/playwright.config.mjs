// Playwright drives the release build in Debian's Chromium (never a
// downloaded browser). scripts/test builds dist/ and sets SIDOS_PORT.
import { defineConfig } from "@playwright/test";

const port = Number(process.env.SIDOS_PORT || 8091);
// The built app to serve (relative to this folder).
const dist = process.env.SIDOS_DIST || "../../dist";

export default defineConfig({
  testDir: ".",
  testMatch: /.*\.spec\.mjs/,
  outputDir: "results",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  reporter: [["list"], ["json", { outputFile: "results/report.json" }]],
  webServer: {
    command: `node serve.mjs ${port} ${dist}`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 30_000,
  },
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: "chromium",
    locale: "en-US",
    launchOptions: {
      executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
    screenshot: "only-on-failure",
    trace: "off",
  },
});
