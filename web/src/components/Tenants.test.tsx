import { act, screen, waitFor, within } from "@testing-library/react";
import type { UserEvent } from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { Role } from "../gen/chorus/auth/v1/auth_service_pb";
import { FakeBackend, personalTenantOf } from "../test/fakeBackend";
import { disposeApps, logIn } from "../test/renderApp";

afterEach(disposeApps);

/** jane (owner) and john in "The Band", with one song there and one in john's personal tenant. */
function band(johnRole: Role = Role.VIEWER) {
  const backend = new FakeBackend();
  const jane = backend.addUser("jane@z.co", "password1x");
  const john = backend.addUser("john@z.co", "password1x");
  const tenant = backend.addTenant("The Band", jane.id);
  backend.addMember(tenant.id, john.id, johnRole);
  backend.addSongs(1, tenant.id); // "Song 1"
  backend.songs[0]!.name = "Band song";
  backend.addSongs(1, personalTenantOf(john.id));
  backend.songs[1]!.name = "John's own";
  return { backend, jane, john, tenant };
}

async function switchTo(user: UserEvent, label: string) {
  await user.selectOptions(await screen.findByLabelText("Active tenant"), label);
  await user.click(screen.getByRole("button", { name: "Switch" }));
}

function memberRow(email: string): HTMLElement {
  const list = screen.getByRole("list", { name: "Members" });
  const row = within(list)
    .getAllByRole("listitem")
    .find((li) => li.textContent?.includes(email));
  if (!row) throw new Error(`no member row for ${email}`);
  return row;
}

describe("the tenant switcher", () => {
  it("lists my tenants with my role, and switching shows that tenant's songs and who I am there", async () => {
    const { backend, tenant } = band(Role.EDITOR);
    const app = await logIn(backend, "john@z.co", true);
    await screen.findByText("John's own");

    const select = await screen.findByLabelText("Active tenant");
    const options = within(select)
      .getAllByRole("option")
      .map((o) => o.textContent);
    expect(options).toEqual(["Personal (Owner)", "The Band (Editor)"]);
    expect(screen.getByTestId("active-tenant")).toHaveTextContent("You are working in Personal as Owner.");
    const before = app.store.read();

    await switchTo(app.user, "The Band (Editor)");
    expect(await screen.findByText("Now working in “The Band”.")).toBeTruthy();
    expect(await screen.findByText("Band song")).toBeTruthy();
    expect(screen.queryByText("John's own")).toBeNull();
    await waitFor(() => expect(screen.getByTestId("whoami-tenant")).toHaveTextContent(tenant.id));
    expect(screen.getByTestId("whoami-role")).toHaveTextContent("Editor");
    expect(screen.getByTestId("active-tenant")).toHaveTextContent("You are working in The Band as Editor.");
    expect(screen.getByRole("button", { name: "Switch" })).toHaveFocus();

    // the session's refresh token rotated: the old one was sent, the new one is stored
    const switched = backend.calls.filter((c) => c.method === "SwitchTenant");
    expect(switched).toHaveLength(1);
    expect(switched[0]?.request).toMatchObject({ tenantId: tenant.id, refreshToken: before });
    expect(app.store.read()).not.toBe(before);
    expect(backend.refreshTokens.has(app.store.read() ?? "")).toBe(true);
    expect(backend.refreshTokens.has(before ?? "")).toBe(false);
  });

  it("shows a viewer the songs but no Add, Edit or Delete", async () => {
    const { backend } = band(Role.VIEWER);
    const app = await logIn(backend, "john@z.co", true);
    expect(screen.getByRole("form", { name: "Add a song" })).toBeTruthy();

    await switchTo(app.user, "The Band (Viewer)");
    expect(await screen.findByText("Band song")).toBeTruthy();
    expect(screen.queryByRole("form", { name: "Add a song" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Edit" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Delete" })).toBeNull();
    expect(screen.getByText(/you can read its songs but not change them/)).toBeTruthy();
  });

  it("picks up a role change at once: new tokens when the tenants list shows another role", async () => {
    const { backend, tenant, john } = band(Role.VIEWER);
    const app = await logIn(backend, "john@z.co", true);
    await switchTo(app.user, "The Band (Viewer)");
    await screen.findByText("Band song");
    const refreshes = backend.calls.filter((c) => c.method === "Refresh").length;

    backend.setRole(tenant.id, john.id, Role.EDITOR); // jane promoted him elsewhere
    await act(() => app.queryClient.invalidateQueries({ queryKey: ["tenants"] }));

    expect(await screen.findByRole("form", { name: "Add a song" })).toBeTruthy();
    expect(backend.calls.filter((c) => c.method === "Refresh").length).toBe(refreshes + 1);
    expect(screen.getByRole("button", { name: "Edit" })).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId("whoami-role")).toHaveTextContent("Editor"));
  });

  it("says so when I am no longer a member, and keeps working where I was", async () => {
    const { backend, tenant, john } = band(Role.EDITOR);
    const app = await logIn(backend, "john@z.co", true);
    await screen.findByLabelText("Active tenant");
    backend.memberships = backend.memberships.filter(
      (m) => !(m.tenantId === tenant.id && m.userId === john.id),
    );

    await switchTo(app.user, "The Band (Editor)");
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Could not switch to “The Band”. You are no longer a member of that tenant.",
    );
    expect(screen.getByText("John's own")).toBeTruthy();
    // the list was out of date: it is fetched again
    await waitFor(() =>
      expect(within(screen.getByLabelText("Active tenant")).getAllByRole("option")).toHaveLength(1),
    );
  });
});

describe("a new tenant", () => {
  it("is created and chosen in the switcher; an empty name is an error under the field", async () => {
    const backend = new FakeBackend();
    const { user } = await logIn(backend);
    expect(screen.queryByRole("form", { name: "New tenant" })).toBeNull(); // closed by default
    await user.click(screen.getByRole("button", { name: "New tenant" }));
    const form = screen.getByRole("form", { name: "New tenant" });
    const name = within(form).getByLabelText("Tenant name");
    expect(name).toHaveFocus();

    await user.click(within(form).getByRole("button", { name: "Create tenant" }));
    await waitFor(() =>
      expect(name).toHaveAccessibleDescription(
        "A band, a label: songs you share with its members. Tenant name must not be empty.",
      ),
    );
    expect(name).toHaveFocus();

    await user.type(name, "The Band");
    await user.click(within(form).getByRole("button", { name: "Create tenant" }));
    expect(await screen.findByText("Created “The Band”. Switch to it to invite members.")).toBeTruthy();
    expect(screen.queryByRole("form", { name: "New tenant" })).toBeNull();
    expect(screen.getByRole("button", { name: "New tenant" })).toHaveFocus();
    const select = screen.getByLabelText<HTMLSelectElement>("Active tenant");
    await waitFor(() => expect(select.selectedOptions[0]?.textContent).toBe("The Band (Owner)"));
    await user.click(screen.getByRole("button", { name: "Switch" }));
    expect(await screen.findByRole("heading", { name: "Members of “The Band”" })).toBeTruthy();
  });

  it("closes on Cancel or Escape without creating anything", async () => {
    const backend = new FakeBackend();
    const { user } = await logIn(backend);
    await user.click(screen.getByRole("button", { name: "New tenant" }));
    await user.type(screen.getByLabelText("Tenant name"), "Nope{Escape}");
    expect(screen.queryByRole("form", { name: "New tenant" })).toBeNull();
    expect(screen.getByRole("button", { name: "New tenant" })).toHaveFocus();
    await user.click(screen.getByRole("button", { name: "New tenant" }));
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("form", { name: "New tenant" })).toBeNull();
    expect(backend.calls.some((c) => c.method === "CreateTenant")).toBe(false);
  });
});

describe("members of a shared tenant", () => {
  it("lets an owner invite, change a role and remove", async () => {
    const { backend, tenant, john } = band(Role.EDITOR);
    const { user } = await logIn(backend, "jane@z.co", true);
    await switchTo(user, "The Band (Owner)");
    await screen.findByRole("list", { name: "Members" });
    expect(memberRow("jane@z.co")).toHaveTextContent("jane@z.co (you)Owner");
    expect(within(memberRow("jane@z.co")).queryByRole("button", { name: "Remove" })).toBeNull();
    expect(memberRow("john@z.co")).toHaveTextContent("Editor");

    const invite = screen.getByRole("form", { name: "Invite a member" });
    await user.type(within(invite).getByLabelText("Invite email"), "nobody");
    await user.click(within(invite).getByRole("button", { name: "Invite" }));
    const email = within(invite).getByLabelText("Invite email");
    await waitFor(() =>
      expect(email).toHaveAccessibleDescription(
        "The email address is not valid. It must have exactly one @-sign.",
      ),
    );
    expect(email).toHaveFocus();

    await user.clear(email);
    await user.type(email, "pat@z.co");
    await user.selectOptions(within(invite).getByLabelText("Role"), "Admin");
    await user.click(within(invite).getByRole("button", { name: "Invite" }));
    expect(await screen.findByText(/^Invited pat@z.co as Admin\./)).toBeTruthy();
    expect(backend.invitations.at(-1)).toMatchObject({ email: "pat@z.co", role: Role.ADMIN });

    await user.type(email, "john@z.co");
    await user.click(within(invite).getByRole("button", { name: "Invite" }));
    await waitFor(() =>
      expect(email).toHaveAccessibleDescription("This person is already a member of this tenant."),
    );

    await user.selectOptions(screen.getByLabelText("Role of john@z.co"), "Viewer");
    await user.click(within(memberRow("john@z.co")).getByRole("button", { name: "Change role" }));
    expect(await screen.findByText("john@z.co is now Viewer.")).toBeTruthy();
    expect(backend.roleOf(tenant.id, john.id)).toBe(Role.VIEWER);
    await waitFor(() => expect(memberRow("john@z.co")).toHaveTextContent("Viewer"));

    await user.click(within(memberRow("john@z.co")).getByRole("button", { name: "Remove" }));
    expect(await screen.findByText("Removed john@z.co.")).toBeTruthy();
    await waitFor(() => expect(screen.queryByText("john@z.co")).toBeNull());
    expect(screen.getByRole("heading", { name: "Members of “The Band”" })).toHaveFocus();
  });

  it("offers a viewer no member management, only Leave tenant", async () => {
    const { backend } = band(Role.VIEWER);
    const { user } = await logIn(backend, "john@z.co", true);
    await switchTo(user, "The Band (Viewer)");
    await screen.findByRole("list", { name: "Members" });
    expect(screen.queryByRole("form", { name: "Invite a member" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Change role" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Remove" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Delete tenant" })).toBeNull();
    expect(screen.getByRole("button", { name: "Leave tenant" })).toBeTruthy();
  });

  it("shows the server's PERMISSION_DENIED as a sentence when my role changed meanwhile", async () => {
    const { backend, tenant, jane } = band(Role.EDITOR);
    const { user } = await logIn(backend, "jane@z.co", true);
    await switchTo(user, "The Band (Owner)");
    await screen.findByRole("list", { name: "Members" });
    backend.addMember(tenant.id, "user-9", Role.OWNER); // someone else owns it now...
    backend.setRole(tenant.id, jane.id, Role.EDITOR); // ...and made jane an editor

    await user.selectOptions(screen.getByLabelText("Role of john@z.co"), "Viewer");
    await user.click(within(memberRow("john@z.co")).getByRole("button", { name: "Change role" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "The role of john@z.co was not changed. Only owners and admins can change roles, and only owners can change an owner's role or make someone an owner.",
    );
  });
});

describe("leaving and deleting", () => {
  it("leaves the active tenant after moving the session to the personal one", async () => {
    const { backend, tenant, john } = band(Role.EDITOR);
    const { user, store } = await logIn(backend, "john@z.co", true);
    await switchTo(user, "The Band (Editor)");
    await screen.findByText("Band song");

    await user.click(screen.getByRole("button", { name: "Leave tenant" }));
    expect(
      await screen.findByText("You left “The Band”. You are working in your personal tenant."),
    ).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Tenants" })).toHaveFocus();
    expect(await screen.findByText("John's own")).toBeTruthy();
    expect(screen.queryByRole("list", { name: "Members" })).toBeNull();
    const order = backend.calls
      .map((c) => c.method)
      .filter((m) => m === "SwitchTenant" || m === "LeaveTenant");
    expect(order).toEqual(["SwitchTenant", "SwitchTenant", "LeaveTenant"]);
    expect(backend.roleOf(tenant.id, john.id)).toBeUndefined();
    // still signed in: the session had moved before leaving
    expect(backend.refreshTokens.has(store.read() ?? "")).toBe(true);
    expect(screen.getByRole("button", { name: "Log out" })).toBeTruthy();
  });

  it("tells the only owner to hand over first", async () => {
    const { backend } = band(Role.EDITOR);
    const { user } = await logIn(backend, "jane@z.co", true);
    await switchTo(user, "The Band (Owner)");
    await screen.findByRole("list", { name: "Members" });
    await user.click(screen.getByRole("button", { name: "Leave tenant" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "You are the only owner of “The Band”. Make someone else an owner before you leave, or delete the tenant.",
    );
    expect(backend.calls.some((c) => c.method === "LeaveTenant")).toBe(false);
  });

  it("shows the server's FAILED_PRECONDITION as a sentence", async () => {
    const { backend, tenant } = band(Role.OWNER); // two owners, as far as the page knows
    const { user } = await logIn(backend, "jane@z.co", true);
    await switchTo(user, "The Band (Owner)");
    await screen.findByRole("list", { name: "Members" });
    backend.memberships = backend.memberships.filter(
      (m) => !(m.tenantId === tenant.id && m.role === Role.OWNER && m.userId !== "user-1"),
    );

    await user.click(screen.getByRole("button", { name: "Leave tenant" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "You did not leave “The Band”. The last owner cannot be removed: make someone else owner first.",
    );
  });

  it("deletes a tenant after asking once more", async () => {
    const { backend, tenant } = band(Role.VIEWER);
    const { user } = await logIn(backend, "jane@z.co", true);
    await switchTo(user, "The Band (Owner)");
    await screen.findByRole("list", { name: "Members" });

    await user.click(screen.getByRole("button", { name: "Delete tenant" }));
    const confirm = screen.getByRole("group", { name: "Confirm deleting the tenant" });
    expect(within(confirm).getByRole("button", { name: "Yes, delete tenant" })).toHaveFocus();
    await user.click(within(confirm).getByRole("button", { name: "Keep tenant" }));
    expect(screen.getByRole("button", { name: "Delete tenant" })).toHaveFocus();
    expect(backend.tenants.has(tenant.id)).toBe(true);

    await user.click(screen.getByRole("button", { name: "Delete tenant" }));
    await user.click(screen.getByRole("button", { name: "Yes, delete tenant" }));
    expect(
      await screen.findByText("Deleted “The Band”. You are working in your personal tenant."),
    ).toBeTruthy();
    expect(backend.tenants.has(tenant.id)).toBe(false);
    await waitFor(() =>
      expect(within(screen.getByLabelText("Active tenant")).getAllByRole("option")).toHaveLength(1),
    );
  });
});

describe("invitations", () => {
  it("are accepted, and the tenant then shows in the switcher", async () => {
    const backend = new FakeBackend();
    const jane = backend.addUser("jane@z.co", "password1x");
    const tenant = backend.addTenant("The Band", jane.id);
    backend.invite(tenant.id, "john@z.co", Role.VIEWER);
    const { user } = await logIn(backend, "john@z.co");

    const list = await screen.findByRole("list", { name: "Invitations" });
    expect(within(list).getByRole("listitem")).toHaveTextContent("Join “The Band” as Viewer");
    await user.click(within(list).getByRole("button", { name: "Accept" }));
    expect(
      await screen.findByText(
        "You joined “The Band” as Viewer. Choose it under Active tenant and press Switch to work in it.",
      ),
    ).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Tenants" })).toHaveFocus();
    await waitFor(() => expect(screen.queryByRole("list", { name: "Invitations" })).toBeNull());
    await switchTo(user, "The Band (Viewer)");
    expect(await screen.findByText("Now working in “The Band”.")).toBeTruthy();
  });
});

describe("songs for a stale role", () => {
  it("reads a refused delete as a sentence, and catches up with the new role", async () => {
    const { backend, tenant, john } = band(Role.EDITOR);
    const { user } = await logIn(backend, "john@z.co", true);
    await switchTo(user, "The Band (Editor)");
    await screen.findByText("Band song");
    // He is a viewer now, and the server refuses his changes (as it does for a
    // viewer's token), while the page still shows the editor's controls.
    backend.setRole(tenant.id, john.id, Role.VIEWER);
    for (const caller of backend.accessTokens.values()) caller.role = Role.VIEWER;

    await user.click(screen.getByRole("button", { name: "Delete" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "“Band song” was not deleted. Your role in this tenant only lets you read its songs. Ask an owner or admin to make you an editor.",
    );
    // the refusal fetched tokens with the current role: the controls go
    await waitFor(() => expect(screen.queryByRole("form", { name: "Add a song" })).toBeNull());
    expect(screen.queryByRole("button", { name: "Delete" })).toBeNull();
    expect(screen.getByText(/you can read its songs but not change them/)).toBeTruthy();
    expect(backend.songsOf(tenant.id)).toHaveLength(1);
  });
});
