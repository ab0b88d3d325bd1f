/** Importing songs on the Songs page, against the in-memory backend (imports run when the test says). */
import { create } from "@bufbuild/protobuf";
import { act, cleanup, screen, waitFor, within } from "@testing-library/react";
import type { UserEvent } from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { Role } from "../gen/chorus/auth/v1/auth_service_pb";
import { ImportFormat } from "../gen/chorus/resource/v1/operation_service_pb";
import { ImportSongsRequestSchema } from "../gen/chorus/resource/v1/song_service_pb";
import { memoryRefreshTokenStore } from "../auth/refreshTokenStore";
import { FakeBackend } from "../test/fakeBackend";
import { IMPORT_READ_ONLY } from "./importErrors";
import { disposeApps, logIn, renderApp } from "../test/renderApp";

afterEach(disposeApps);

const SONGS =
  "name,artist,year\nAberdeen,Cage the Elephant,2011\nShake Me Down,Cage the Elephant,3011\nTrouble,Cage the Elephant,\n";

async function startImport(user: UserEvent, file: File) {
  await user.click(screen.getByRole("button", { name: "Import songs" }));
  const form = await screen.findByRole("form", { name: "Import songs" });
  const input = form.querySelector<HTMLInputElement>('input[type="file"]');
  if (!input) throw new Error("no file input");
  await user.upload(input, file);
  await user.click(within(form).getByRole("button", { name: "Start import" }));
  return form;
}

function progressOf(panel: HTMLElement) {
  return within(panel).getByRole("progressbar", { name: "Import progress" });
}

describe("importing songs", () => {
  it("shows the progress, the counts and the rejected lines, then the songs", async () => {
    const backend = new FakeBackend();
    const { user } = await logIn(backend);
    await startImport(user, new File([SONGS], "songs.csv", { type: "text/csv" }));

    const panel = await screen.findByRole("region", { name: "Import of songs.csv" });
    expect(progressOf(panel)).toHaveAttribute("aria-valuenow", "0");
    expect(progressOf(panel)).toHaveAttribute("aria-valuemax", "3");
    expect(within(panel).getByTestId("import-state")).toHaveTextContent("Importing…");

    act(() => backend.imports.run(2));
    await waitFor(() => expect(progressOf(panel)).toHaveAttribute("aria-valuenow", "2"));
    expect(progressOf(panel)).toHaveAttribute("aria-valuetext", "2 of 3 rows");
    expect(within(panel).getByTestId("import-counts")).toHaveTextContent("2 of 3 rows1 imported1 rejected");

    act(() => backend.imports.run());
    await waitFor(() =>
      expect(within(panel).getByTestId("import-state")).toHaveTextContent(
        "Done: 2 songs imported, 1 row rejected.",
      ),
    );
    expect(within(panel).getByRole("list", { name: "1 rejected row" })).toHaveTextContent(
      "line 3: year must be between 1000 and 2100",
    );
    expect(within(panel).queryByRole("button", { name: "Cancel import" })).not.toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId("song-row")).toHaveLength(2));

    await user.click(within(panel).getByRole("button", { name: "Close" }));
    expect(screen.queryByRole("region", { name: "Import of songs.csv" })).not.toBeInTheDocument();
  });

  it("cancels an import: it stops at its next step and says what stays", async () => {
    const backend = new FakeBackend();
    const { user } = await logIn(backend);
    const rows = Array.from({ length: 5 }, (_, i) => `Song ${i},Artist,2000\n`).join("");
    await startImport(user, new File([`name,artist,year\n${rows}`], "five.csv"));
    const panel = await screen.findByRole("region", { name: "Import of five.csv" });
    act(() => backend.imports.run(2));
    await waitFor(() => expect(progressOf(panel)).toHaveAttribute("aria-valuenow", "2"));

    await user.click(within(panel).getByRole("button", { name: "Cancel import" }));
    await waitFor(() => expect(backend.imports.imports[0]?.cancelRequested).toBe(true));
    expect(within(panel).getByTestId("import-state")).toHaveTextContent(
      "Cancelling: the import stops after its current batch of rows…",
    );
    act(() => backend.imports.run());
    await waitFor(() =>
      expect(within(panel).getByTestId("import-state")).toHaveTextContent(
        "Cancelled after 2 of 5 rows. The 2 songs imported before that stay.",
      ),
    );
    expect(within(panel).queryByRole("button", { name: "Cancel import" })).not.toBeInTheDocument();
    expect(within(panel).getByRole("button", { name: "Close" })).toBeInTheDocument();
  });

  it("after a reload finds the running import again, and follows it again when the stream drops", async () => {
    const backend = new FakeBackend();
    const { user, store } = await logIn(backend);
    await startImport(user, new File([SONGS], "songs.csv"));
    const before = await screen.findByRole("region", { name: "Import of songs.csv" });
    const name = before.dataset.operation;
    act(() => backend.imports.run(1));
    await waitFor(() => expect(progressOf(before)).toHaveAttribute("aria-valuenow", "1"));

    disposeApps();
    cleanup(); // the tab goes away; the refresh token stays in its store
    renderApp(backend, store);
    const after = await screen.findByRole("region", { name: /^Import started at / });
    expect(after.dataset.operation).toBe(name);
    await waitFor(() => expect(progressOf(after)).toHaveAttribute("aria-valuenow", "1"));

    act(() => backend.imports.dropWatches());
    await waitFor(() =>
      expect(within(after).getByTestId("import-state")).toHaveTextContent(
        "Importing… Reconnecting to follow its progress.",
      ),
    );
    act(() => backend.imports.run());
    await waitFor(() => expect(progressOf(after)).toHaveAttribute("aria-valuenow", "3"));
    expect(within(after).getByTestId("import-state")).toHaveTextContent("Done: 2 songs imported");
  });

  it("says what is wrong with a file next to it", async () => {
    const backend = new FakeBackend();
    const { user } = await logIn(backend);
    const form = await startImport(user, new File(["title,artist\nA,B\n"], "odd.csv"));
    const file = within(form).getByRole("button", { name: /^File/ });
    await waitFor(() =>
      expect(file).toHaveAccessibleDescription(
        expect.stringContaining(
          "The file can't be imported: line 1: unknown column (columns: name, artist, year).",
        ) as string,
      ),
    );
    expect(file).toHaveFocus();

    backend.imports.maxBytes = 10;
    const input = form.querySelector<HTMLInputElement>('input[type="file"]');
    await user.upload(input as HTMLInputElement, new File([SONGS], "songs.csv"));
    await user.click(within(form).getByRole("button", { name: "Start import" }));
    await waitFor(() =>
      expect(file).toHaveAccessibleDescription(
        expect.stringContaining("The file is too large for one import") as string,
      ),
    );
    expect(backend.imports.imports).toHaveLength(0);
  });

  it("says so when the server refuses the import to the caller's role", async () => {
    const backend = new FakeBackend();
    const { user } = await logIn(backend);
    // the server takes the caller for a viewer, though the page's token said otherwise
    for (const caller of backend.accessTokens.values()) caller.role = Role.VIEWER;
    const form = await startImport(user, new File([SONGS], "songs.csv"));
    expect(await within(form).findByRole("alert")).toHaveTextContent(IMPORT_READ_ONLY);
    expect(backend.imports.imports).toHaveLength(0);
  });

  it("shows a viewer the tenant's running import, without Import or Cancel", async () => {
    const backend = new FakeBackend();
    const jane = backend.addUser("jane@z.co", "password1x");
    const band = backend.addTenant("The Band", jane.id);
    const john = backend.addUser("john@z.co", "password1x");
    backend.addMember(band.id, john.id, Role.VIEWER);
    backend.accessTokens.set("jane-in-the-band", { userId: jane.id, tenantId: band.id, role: Role.OWNER });
    backend.imports.start(
      create(ImportSongsRequestSchema, {
        document: new TextEncoder().encode(SONGS),
        format: ImportFormat.CSV,
      }),
      new Headers({ authorization: "Bearer jane-in-the-band" }),
    );

    // john's session acts in the band (as after a switch)
    const { refreshToken } = backend.session(john.id);
    const login = backend.logins.get(backend.refreshTokens.get(refreshToken) ?? "");
    if (login) login.tenantId = band.id;
    const store = memoryRefreshTokenStore();
    store.write(refreshToken);
    renderApp(backend, store);
    const panel = await screen.findByRole("region", { name: /^Import started at .* by jane@z\.co$/ });
    expect(screen.queryByRole("button", { name: "Import songs" })).not.toBeInTheDocument();
    expect(within(panel).queryByRole("button", { name: "Cancel import" })).not.toBeInTheDocument();
    act(() => backend.imports.run());
    await waitFor(() => expect(within(panel).getByTestId("import-state")).toHaveTextContent("Done"));
  });
});
