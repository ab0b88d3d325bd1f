/** Renders the whole <App/> against a FakeBackend, as the component tests use it. */
import type { QueryClient } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import userEvent from "@testing-library/user-event";
import { createQueryClient } from "../api/queryClient";
import type { Services } from "../api/services";
import { createServices } from "../api/services";
import type { RefreshTokenStore } from "../auth/refreshTokenStore";
import { memoryRefreshTokenStore } from "../auth/refreshTokenStore";
import { App } from "../app/App";
import { Providers } from "../app/Providers";
import type { FakeBackend } from "./fakeBackend";

const rendered: Services[] = [];

/** Stop the timers of every rendered app's session (call in afterEach). */
export function disposeApps(): void {
  rendered.splice(0).forEach((services) => services.session.dispose());
}

export function renderApp(
  backend: FakeBackend,
  store: RefreshTokenStore = memoryRefreshTokenStore(),
  path = "/",
) {
  const services = createServices(backend.transports(), store);
  rendered.push(services);
  const queryClient: QueryClient = createQueryClient();
  render(
    <Providers services={services} queryClient={queryClient}>
      <MemoryRouter initialEntries={[path]}>
        <App />
      </MemoryRouter>
    </Providers>,
  );
  return { user: userEvent.setup(), store, services, queryClient };
}

/** Logs in through the form (adding the user unless `existing`), and waits for the songs. */
export async function logIn(backend: FakeBackend, email = "jane@z.co", existing = false) {
  if (!existing) backend.addUser(email, "password1x");
  const app = renderApp(backend);
  await app.user.type(await screen.findByLabelText(/^Email/), email);
  await app.user.type(screen.getByLabelText(/^Password/), "password1x");
  await app.user.click(screen.getByRole("button", { name: "Log in" }));
  await screen.findByRole("heading", { name: "Songs", level: 1 });
  return app;
}
