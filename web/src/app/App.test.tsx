/** The whole app against the in-memory backend: real clients, interceptors and error details. */
import { screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { memoryRefreshTokenStore } from "../auth/refreshTokenStore";
import { FakeBackend, personalTenantOf } from "../test/fakeBackend";
import { disposeApps, logIn, renderApp } from "../test/renderApp";

afterEach(disposeApps);

describe("<App/>", () => {
  it("signs up, lands on the songs, and logs out", async () => {
    const backend = new FakeBackend();
    const { user, store } = renderApp(backend, memoryRefreshTokenStore(), "/signup");
    await user.type(await screen.findByLabelText(/^Email/), "jane@z.co");
    await user.type(screen.getByLabelText(/^Password/), "password1x");
    await user.click(screen.getByRole("button", { name: "Sign up" }));
    expect(await screen.findByRole("heading", { name: "Songs", level: 1 })).toBeInTheDocument();
    expect(await screen.findByText("No songs yet.")).toBeInTheDocument();
    expect(store.read()).not.toBeNull();

    await user.click(screen.getByRole("button", { name: "Your account" }));
    await user.click(await screen.findByRole("menuitem", { name: "Log out" }));
    expect(await screen.findByRole("button", { name: "Log in" })).toBeInTheDocument();
    expect(store.read()).toBeNull();
  });

  it("says what is wrong with a login next to the form", async () => {
    const backend = new FakeBackend();
    backend.addUser("jane@z.co", "password1x");
    const { user } = renderApp(backend);
    await user.type(await screen.findByLabelText(/^Email/), "jane@z.co");
    await user.type(screen.getByLabelText(/^Password/), "wrong-password");
    await user.click(screen.getByRole("button", { name: "Log in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The email or password is not right.");
  });

  it("adds a song in a dialog, checking the contract's rules first", async () => {
    const backend = new FakeBackend();
    const { user } = await logIn(backend);
    await user.click(screen.getByRole("button", { name: "Add song" }));
    const form = await screen.findByRole("form", { name: "Add a song" });
    await user.type(within(form).getByLabelText(/^Name/), "   ");
    await user.type(within(form).getByLabelText(/^Artist/), "Cage the Elephant");
    await user.click(within(form).getByRole("button", { name: "Add song" }));
    const name = within(form).getByLabelText(/^Name/);
    expect(name).toHaveAttribute("aria-invalid", "true");
    expect(name).toHaveAccessibleDescription("Name must not be empty or blank.");
    expect(name).toHaveFocus();
    expect(backend.songsOf(personalTenantOf("user-1"))).toHaveLength(0); // never sent

    await user.clear(name);
    await user.type(name, "Aberdeen");
    await user.type(within(form).getByLabelText(/^Year/), "2011");
    await user.click(within(form).getByRole("button", { name: "Add song" }));
    expect(await screen.findByText("Added “Aberdeen”.")).toBeInTheDocument();
    const rows = await screen.findAllByTestId("song-row");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveTextContent("Aberdeen");
    expect(screen.getByTestId("range")).toHaveTextContent("1–1 of 1");
  });

  it("deletes a song only after a confirmation", async () => {
    const backend = new FakeBackend();
    backend.addUser("jane@z.co", "password1x");
    backend.addSongs(2);
    const { user } = await logIn(backend, "jane@z.co", true);
    const [first] = await screen.findAllByTestId("song-row");
    const name = first?.querySelector(".song-name")?.textContent ?? "";
    await user.click(screen.getByRole("button", { name: `Delete ${name}` }));
    const dialog = await screen.findByRole("dialog");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(backend.songsOf(personalTenantOf("user-1"))).toHaveLength(2);

    await user.click(screen.getByRole("button", { name: `Delete ${name}` }));
    await user.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Delete song" }));
    await waitFor(() => expect(backend.songsOf(personalTenantOf("user-1"))).toHaveLength(1));
    expect(await screen.findByText(`Deleted “${name}”.`)).toBeInTheDocument();
  });

  it("creates a tenant on the Team page and works in it at once", async () => {
    const backend = new FakeBackend();
    const { user } = await logIn(backend);
    await user.click(screen.getByRole("link", { name: "Team" }));
    await user.click(await screen.findByRole("button", { name: "New tenant" }));
    const form = await screen.findByRole("form", { name: "New tenant" });
    await user.type(within(form).getByLabelText(/^Tenant name/), "The Band");
    await user.click(within(form).getByRole("button", { name: "Create tenant" }));
    expect(await screen.findByText("Created “The Band”. You are working in it now.")).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByRole("combobox", { name: "Active tenant" })).toHaveValue("The Band (Owner)"),
    );
    expect(await screen.findByRole("form", { name: "Invite a member" })).toBeInTheDocument();
  });
});
