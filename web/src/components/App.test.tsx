import { screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { memoryRefreshTokenStore } from "../auth/refreshTokenStore";
import { FakeBackend } from "../test/fakeBackend";
import { disposeApps, logIn, renderApp } from "../test/renderApp";

afterEach(disposeApps);

function row(name: string): HTMLElement {
  const item = screen.getAllByTestId("song-row").find((li) => within(li).queryByText(name));
  if (!item) throw new Error(`no row for ${name}`);
  return item;
}

describe("signing up and logging in", () => {
  it("signs up, shows who I am, and logs out", async () => {
    const backend = new FakeBackend();
    const { user, store } = renderApp(backend);
    await user.click(await screen.findByRole("button", { name: "Create an account" }));
    expect(screen.getByRole("heading", { name: "Create your Chorus account" })).toHaveFocus();
    await user.type(screen.getByLabelText("Email"), "new@z.co");
    await user.type(screen.getByLabelText("Password"), "password1x");
    await user.click(screen.getByRole("button", { name: "Sign up" }));

    const whoami = await screen.findByTestId("whoami");
    await within(whoami).findByText("new@z.co");
    expect(within(whoami).getByText("Owner")).toBeTruthy();
    expect(await screen.findByText("No songs yet. Add your first one above.")).toBeTruthy();
    expect(store.read()).toMatch(/^refresh-/);
    expect(backend.calls.find((c) => c.method === "WhoAmI")?.authorization).toMatch(
      /^Bearer [\w-]+\.[\w-]+\.fake-\d+$/,
    );

    await user.click(screen.getByRole("button", { name: "Log out" }));
    expect(await screen.findByRole("button", { name: "Log in" })).toBeTruthy();
    expect(store.read()).toBeNull();
    await waitFor(() => expect(backend.calls.some((c) => c.method === "Logout")).toBe(true));
  });

  it("shows each field's problem next to it, and focuses the first", async () => {
    const backend = new FakeBackend();
    window.history.replaceState(null, "", "/#signup");
    const { user } = renderApp(backend);
    await user.type(await screen.findByLabelText("Email"), "not-an-email");
    await user.type(screen.getByLabelText("Password"), "short");
    await user.click(screen.getByRole("button", { name: "Sign up" }));

    const email = screen.getByLabelText("Email");
    await waitFor(() => expect(email).toHaveAttribute("aria-invalid", "true"));
    expect(email).toHaveAccessibleDescription(
      "The email address is not valid. It must have exactly one @-sign.",
    );
    expect(email).toHaveFocus();
    const password = screen.getByLabelText("Password");
    expect(password).toHaveAttribute("aria-invalid", "true");
    expect(password).toHaveAccessibleDescription(
      "At least 8 characters. Password must be at least 8 characters.",
    );
  });

  it("says so when the email or password is wrong", async () => {
    const backend = new FakeBackend();
    backend.addUser("jane@z.co", "password1x");
    const { user } = renderApp(backend);
    await user.type(await screen.findByLabelText("Email"), "jane@z.co");
    await user.type(screen.getByLabelText("Password"), "wrong-password");
    await user.click(screen.getByRole("button", { name: "Log in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The email or password is not right.");
  });

  it("resumes the session after a reload with the stored refresh token", async () => {
    const backend = new FakeBackend();
    const jane = backend.addUser("jane@z.co", "password1x");
    const store = memoryRefreshTokenStore(backend.session(jane.id).refreshToken);
    renderApp(backend, store);
    expect(await within(await screen.findByTestId("whoami")).findByText("jane@z.co")).toBeTruthy();
    expect(backend.calls.filter((c) => c.method === "Refresh")).toHaveLength(1);
  });

  it("shows the login screen when the stored session is no longer valid", async () => {
    const backend = new FakeBackend();
    renderApp(backend, memoryRefreshTokenStore("refresh-revoked"));
    expect(await screen.findByText("Your session has ended. Please log in again.")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Log in" })).toBeTruthy();
  });
});

describe("songs", () => {
  it("adds a song, and maps the server's field violations to the form", async () => {
    const backend = new FakeBackend();
    const { user } = await logIn(backend);
    const form = screen.getByRole("form", { name: "Add a song" });

    await user.click(within(form).getByRole("button", { name: "Add song" }));
    const name = within(form).getByLabelText("Name");
    await waitFor(() => expect(name).toHaveAccessibleDescription("Name must not be empty."));
    expect(name).toHaveAttribute("aria-invalid", "true");
    expect(name).toHaveFocus();

    await user.type(name, "Aberdeen");
    await user.type(within(form).getByLabelText("Artist"), "Cage the Elephant");
    await user.type(within(form).getByLabelText("Year"), "2011");
    await user.click(within(form).getByRole("button", { name: "Add song" }));

    expect(await screen.findByText("Cage the Elephant · 2011")).toBeTruthy();
    expect(await screen.findByText("Added “Aberdeen”.")).toBeTruthy();
    const created = backend.calls.filter((c) => c.method === "CreateSong").at(-1)?.request as {
      requestId: string;
    };
    expect(created.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(within(form).getByLabelText("Name")).toHaveValue("");
  });

  it("edits only the changed fields (update_mask) and returns focus to Edit", async () => {
    const backend = new FakeBackend();
    backend.addSongs(1);
    const { user } = await logIn(backend);
    await screen.findByText("Song 1");
    await user.click(within(row("Song 1")).getByRole("button", { name: "Edit" }));

    const editForm = screen.getByRole("form", { name: "Edit Song 1" });
    expect(screen.queryByRole("form", { name: "Add a song" })).toBeNull(); // one "Name" field at a time
    const year = within(editForm).getByLabelText("Year");
    await user.clear(year);
    await user.type(year, "3000");
    await user.click(within(editForm).getByRole("button", { name: "Save" }));
    await waitFor(() =>
      expect(year).toHaveAccessibleDescription("Optional. Year must be between 1000 and 2100."),
    );

    await user.clear(year);
    await user.type(year, "1999");
    await user.click(within(editForm).getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Artist 1 · 1999")).toBeTruthy();
    const update = backend.calls.filter((c) => c.method === "UpdateSong").at(-1)?.request as {
      updateMask: { paths: string[] };
    };
    expect(update.updateMask.paths).toEqual(["year"]);
    expect(within(row("Song 1")).getByRole("button", { name: "Edit" })).toHaveFocus();
  });

  it("deletes a song", async () => {
    const backend = new FakeBackend();
    backend.addSongs(2);
    const { user } = await logIn(backend);
    await screen.findByText("Song 2");
    await user.click(within(row("Song 1")).getByRole("button", { name: "Delete" }));
    expect(await screen.findByText("Deleted “Song 1”.")).toBeTruthy();
    await waitFor(() => expect(screen.queryByText("Song 1")).toBeNull());
    expect(backend.songs.map((s) => s.name)).toEqual(["Song 2"]);
  });

  it("pages forward and back with page tokens", async () => {
    const backend = new FakeBackend();
    backend.addSongs(23);
    const { user } = await logIn(backend);
    await screen.findByText("Song 10");
    const next = screen.getByRole("button", { name: "Next page" });
    const previous = screen.getByRole("button", { name: "Previous page" });
    expect(previous).toHaveAttribute("aria-disabled", "true");

    await user.click(next);
    expect(await screen.findByText("Song 11")).toBeTruthy();
    expect(screen.queryByText("Song 10")).toBeNull();
    expect(screen.getByText("Page 2")).toBeTruthy();
    await user.click(next);
    expect(await screen.findByText("Song 23")).toBeTruthy();
    expect(next).toHaveAttribute("aria-disabled", "true");

    await user.click(previous);
    await user.click(previous);
    expect(await screen.findByText("Song 1")).toBeTruthy();
    const tokens = backend.calls
      .filter((c) => c.method === "ListSongs")
      .map((c) => (c.request as { pageToken: string }).pageToken);
    expect(tokens.slice(0, 3)).toEqual(["", backend.songs[9]?.id, backend.songs[19]?.id]);
  });

  it("refreshes the access token once when a call is rejected, and carries on", async () => {
    const backend = new FakeBackend();
    backend.addSongs(1);
    const { user } = await logIn(backend);
    await screen.findByText("Song 1");
    backend.accessTokens.clear(); // every access token is now refused
    await user.click(within(row("Song 1")).getByRole("button", { name: "Delete" }));
    expect(await screen.findByText("Deleted “Song 1”.")).toBeTruthy();
    expect(backend.calls.filter((c) => c.method === "Refresh")).toHaveLength(1);
  });
});
