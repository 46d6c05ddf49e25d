import { chromium, type FullConfig } from "@playwright/test";
import * as fs from "node:fs";
import * as path from "node:path";
import { ADMIN, ADMIN_STATE } from "./tests/fixtures/accounts";
import { LoginPage } from "./tests/fixtures/login_page";

/**
 * Signs the admin in once through the /login page and saves the browser
 * state (the session cookie) that every spec starts from (`use.storageState`).
 */
export default async function globalSetup(config: FullConfig) {
  const { baseURL, launchOptions } = config.projects[0].use;
  const browser = await chromium.launch(launchOptions);
  try {
    const context = await browser.newContext({ baseURL });
    const login = new LoginPage(await context.newPage());
    await login.signIn(ADMIN);
    fs.mkdirSync(path.dirname(ADMIN_STATE), { recursive: true });
    await context.storageState({ path: ADMIN_STATE });
  } finally {
    await browser.close();
  }
}
