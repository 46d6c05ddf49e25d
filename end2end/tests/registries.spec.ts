import { expect, test } from "@playwright/test";
import { RegistriesPage, RegistryDetailPage } from "./fixtures/registries_page";
import { RegistryForm } from "./fixtures/registry_form";
import { SandboxApi } from "./fixtures/sandbox_api";

// One test per user flow. Tests run serially against one server with the
// demo sandbox, so every registry gets a unique name.
const unique = (what: string) => `e2e-${what}-${Date.now()}`;

/** Creates a namespace registry through the form and waits for its detail page. */
async function createNamespaced(form: RegistryForm, namespace: string, name: string, username = "robot") {
  await form.openNew();
  await form.chooseNamespace(namespace);
  await form.fill({ name, preset: "GitHub Container Registry", username, password: "first-password" });
  await expect(form.host("ghcr.io")).toBeVisible();
  await form.submit();
  await expect(form.page).toHaveURL(new RegExp(`/registries/ns/${namespace}/${name}$`));
}

test("a namespace registry is created and listed", async ({ page }) => {
  const cluster = await SandboxApi.connect();
  const name = unique("ns");
  const form = new RegistryForm(page);
  await createNamespaced(form, "payments-dev", name);

  const detail = new RegistryDetailPage(page);
  await expect(detail.heading).toHaveText(name);
  await expect(detail.state("payments-dev")).toHaveText("synced");
  await expect(detail.summary).toContainText("ghcr.io");
  await expect(detail.summary).not.toContainText("first-password");

  const list = new RegistriesPage(page);
  await list.open();
  await expect(list.row(name)).toBeVisible();
  await expect(list.row(name)).toContainText("namespace payments-dev");
  await expect(list.row(name)).toContainText("ghcr.io");
  await expect(list.username(name)).toHaveText("robot");

  // The filter lives in the URL: a reload keeps it.
  await list.open("?namespace=search-dev");
  await expect(list.row(name)).toHaveCount(0);
  await list.open("?namespace=payments-dev");
  await expect(list.row(name)).toBeVisible();
  // Filters also apply in place, and "Clear filters" brings everything back.
  await list.filterNamespace.selectOption("search-dev");
  await expect(page).toHaveURL(/\/registries\?namespace=search-dev$/);
  await expect(list.row(name)).toHaveCount(0);
  await expect(list.loadError).toHaveCount(0);
  await list.clearFilters.click();
  await expect(page).toHaveURL(/\/registries$/);
  await expect(list.row(name)).toBeVisible();
  await expect(list.loadError).toHaveCount(0);

  const secret = await cluster.getSecret("payments-dev", name);
  expect(secret?.type).toBe("kubernetes.io/dockerconfigjson");
  const config = await cluster.dockerConfig("payments-dev", name);
  expect(config?.auths["ghcr.io"]?.username).toBe("robot");
  expect(list.errors).toEqual([]);
  await cluster.dispose();
});

test("a project registry reaches every namespace of the project", async ({ page }) => {
  const cluster = await SandboxApi.connect();
  const name = unique("proj");
  const members = await cluster.projectNamespaces("payments");
  expect(members.length).toBeGreaterThan(1);

  const form = new RegistryForm(page);
  await form.openNew();
  await form.chooseProject("payments");
  await form.fill({ name, preset: "Quay.io", username: "payments+bot", password: "s3cret", description: "e2e project registry" });
  await form.submit();
  await expect(page).toHaveURL(new RegExp(`/registries/p/payments/${name}$`));

  // The page refetches by itself while namespaces are pending.
  const detail = new RegistryDetailPage(page);
  await expect(detail.statusRows()).toHaveCount(members.length);
  for (const namespace of members) {
    await expect(detail.state(namespace)).toHaveText("synced", { timeout: 30_000 });
  }

  for (const namespace of members) {
    const copy = await cluster.getSecret(namespace, name);
    expect(copy?.type, `copy in ${namespace}`).toBe("kubernetes.io/dockerconfigjson");
    expect(copy?.metadata.labels?.["app.kubernetes.io/managed-by"]).toBe("regboard");
    const config = await cluster.dockerConfig(namespace, name);
    expect(config?.auths["quay.io"]?.username).toBe("payments+bot");
  }

  const list = new RegistriesPage(page);
  await list.open("?project=payments");
  await expect(list.row(name)).toContainText("project payments");
  await expect(list.row(name)).toContainText(`${members.length} synced`);
  await cluster.dispose();
});

test("a name held by a foreign Secret is refused and nothing is created", async ({ page }) => {
  const cluster = await SandboxApi.connect();
  // The demo seed holds a TLS Secret named payments-tls in payments-prod.
  const before = await cluster.getSecret("payments-prod", "payments-tls");
  expect(before?.type).toBe("kubernetes.io/tls");

  const form = new RegistryForm(page);
  await form.openNew();
  await form.chooseNamespace("payments-prod");
  await form.fill({ name: "payments-tls", preset: "Docker Hub", username: "collider", password: "pw", description: "should not exist" });
  await form.submit();

  await expect(form.conflict).toHaveText(
    "A Secret named payments-tls already exists in namespace payments-prod (type kubernetes.io/tls); choose another name.",
  );
  await expect(form.name).toHaveAttribute("aria-invalid", "true");
  await expect(form.name).toHaveAttribute("aria-describedby", /name-conflict/);
  // What was typed stays, except the password.
  await expect(page).toHaveURL(/\/registries\/new$/);
  await expect(form.name).toHaveValue("payments-tls");
  await expect(form.username).toHaveValue("collider");
  await expect(form.description).toHaveValue("should not exist");
  await expect(form.password).toHaveValue("");

  const after = await cluster.getSecret("payments-prod", "payments-tls");
  expect(after?.type).toBe("kubernetes.io/tls");
  expect(after?.metadata.labels?.["app.kubernetes.io/managed-by"]).toBeUndefined();
  const list = new RegistriesPage(page);
  await list.open("?namespace=payments-prod");
  await expect(list.row("payments-tls")).toHaveCount(0);
  await cluster.dispose();
});

test("editing changes the username and keeps the password when left empty", async ({ page }) => {
  const cluster = await SandboxApi.connect();
  const name = unique("edit");
  const form = new RegistryForm(page);
  await createNamespaced(form, "payments-dev", name, "old-user");

  const detail = new RegistryDetailPage(page);
  await detail.waitForHydration();
  await detail.editButton.click();
  await expect(page).toHaveURL(new RegExp(`/registries/ns/payments-dev/${name}/edit$`));
  await expect(form.save).toBeEnabled();
  await expect(page.getByTestId("fixed-name")).toHaveText(name);
  await expect(form.name).toHaveCount(0);
  await expect(form.username).toHaveValue("old-user");
  await expect(form.password).toHaveValue("");
  await expect(page.getByText("Leave empty to keep the current password.")).toBeVisible();
  await expect(form.password).toHaveAccessibleDescription(
    /Adding or changing a host needs the password again/,
  );

  await form.username.fill("new-user");
  await form.submit();
  await expect(page).toHaveURL(new RegExp(`/registries/ns/payments-dev/${name}$`));
  await expect(detail.summary).toContainText("new-user");

  const list = new RegistriesPage(page);
  await list.open();
  await expect(list.username(name)).toHaveText("new-user");

  const config = await cluster.dockerConfig("payments-dev", name);
  expect(config?.auths["ghcr.io"]?.username).toBe("new-user");
  expect(config?.auths["ghcr.io"]?.password).toBe("first-password");
  await cluster.dispose();
});

test("deleting asks first, then removes the registry from the list and the cluster", async ({ page }) => {
  const cluster = await SandboxApi.connect();
  const name = unique("del");
  const form = new RegistryForm(page);
  await createNamespaced(form, "payments-dev", name);
  expect(await cluster.getSecret("payments-dev", name)).not.toBeNull();

  const detail = new RegistryDetailPage(page);
  await detail.waitForHydration();
  const question = await detail.askToDelete();
  expect(question).toContain(`This deletes the Secret ${name} in namespace payments-dev`);

  // Cancelling leaves everything in place.
  await detail.confirmDelete.getByRole("button", { name: "Cancel" }).click();
  await expect(detail.confirmDelete).toHaveCount(0);
  expect(await cluster.getSecret("payments-dev", name)).not.toBeNull();

  await detail.askToDelete();
  await detail.confirmDeletion();
  await expect(page).toHaveURL(/\/registries$/);
  const list = new RegistriesPage(page);
  await expect(list.heading).toHaveText("Registries");
  // The list loaded (client-side, after the navigation) and no longer has it.
  await expect(list.table.or(list.empty)).toBeVisible();
  await expect(list.loadError).toHaveCount(0);
  await expect(list.row(name)).toHaveCount(0);
  expect(await cluster.getSecret("payments-dev", name)).toBeNull();
  await cluster.dispose();
});
