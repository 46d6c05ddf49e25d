import { defineConfig } from "@playwright/test";
import * as os from "node:os";
import * as path from "node:path";
import * as fs from "node:fs";
import { ADMIN, ADMIN_STATE } from "./tests/fixtures/accounts";

// The server under test: the release binary built by `cargo leptos build
// --release`, on the port the test script chose, with a fresh database and the
// sandbox cluster. With no REGBOARD_E2E_PORT (e.g. under `cargo leptos
// end-to-end`), tests run against whatever serves 127.0.0.1:3000.
const port = process.env.REGBOARD_E2E_PORT ?? "3000";
// The embedded sandbox cluster's Kubernetes API, so tests can change the
// cluster behind the dashboard the way kubectl would.
const sandboxPort = process.env.REGBOARD_E2E_SANDBOX_PORT ?? String(Number(port) + 1);
process.env.REGBOARD_E2E_SANDBOX_URL = `http://127.0.0.1:${sandboxPort}`;
// A real Distribution registry the credential spec starts on this port;
// regboard may test it over plain HTTP (nothing else).
const registryPort = process.env.REGBOARD_E2E_REGISTRY_PORT ?? String(Number(sandboxPort) + 1);
process.env.REGBOARD_E2E_REGISTRY_PORT = registryPort;
const baseURL = `http://127.0.0.1:${port}`;
const bin = process.env.REGBOARD_BIN ?? path.resolve(__dirname, "../target/release/regboard");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "regboard-e2e-"));
const database = path.join(dataDir, "regboard.db");

// Every page needs a session: the server starts with one admin account in
// its fresh database (the password goes through stdin, never a flag), and
// global-setup.ts signs that admin in for every spec.
const createAdmin = `printf '%s\\n' "$REGBOARD_E2E_ADMIN_PASSWORD" | "${bin}" admin create-user --admin "$REGBOARD_E2E_ADMIN" --database "${database}"`;
const serve = `"${bin}" serve --sandbox --sandbox-listen 127.0.0.1:${sandboxPort} --listen 127.0.0.1:${port} --database "${database}" --credential-check-plain-http 127.0.0.1:${registryPort}`;

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  globalSetup: require.resolve("./global-setup"),
  use: {
    baseURL,
    storageState: ADMIN_STATE,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: {
    command: `${createAdmin} && exec ${serve}`,
    url: `${baseURL}/healthz`,
    reuseExistingServer: !process.env.REGBOARD_E2E_PORT,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      LEPTOS_SITE_ROOT: path.resolve(__dirname, "../target/site"),
      RUST_LOG: process.env.RUST_LOG ?? "info",
      REGBOARD_E2E_ADMIN: ADMIN.name,
      REGBOARD_E2E_ADMIN_PASSWORD: ADMIN.password,
    },
  },
});
