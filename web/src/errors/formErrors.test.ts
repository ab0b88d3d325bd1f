import { create, toBinary } from "@bufbuild/protobuf";
import { AnySchema } from "@bufbuild/protobuf/wkt";
import { BinaryWriter, WireType, base64Encode } from "@bufbuild/protobuf/wire";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { describe, expect, it } from "vitest";
import { signUpErrors, loginErrors } from "../auth/authErrors";
import { SongService } from "../gen/chorus/resource/v1/song_service_pb";
import { BadRequestSchema } from "../gen-rpc/google/rpc/error_details_pb";
import { songErrors } from "../songs/songErrors";
import { invalid } from "../test/fakeBackend";
import { fieldViolations, formErrorsFrom, invalidFields } from "./formErrors";
import { asSentence, errorSentence, fieldSentence } from "./sentences";

describe("sentences", () => {
  it("makes plain sentences of field descriptions", () => {
    expect(fieldSentence("Name", "must not be empty")).toBe("Name must not be empty.");
    expect(fieldSentence("Year", "must be between 1000 and 2100")).toBe(
      "Year must be between 1000 and 2100.",
    );
    expect(fieldSentence("Email", "The email address is not valid. It must have exactly one @-sign.")).toBe(
      "The email address is not valid. It must have exactly one @-sign.",
    );
    expect(fieldSentence("Email", "")).toBe("Email is not valid.");
    expect(asSentence("wrong email or password")).toBe("Wrong email or password.");
  });

  it("explains codes without jargon", () => {
    expect(errorSentence(new ConnectError("down", Code.Unavailable))).toMatch(/not available/);
    expect(
      errorSentence(
        new ConnectError(
          "Failed to fetch",
          Code.Unknown,
          undefined,
          undefined,
          new TypeError("Failed to fetch"),
        ),
      ),
    ).toBe("The server can't be reached. Check your connection and try again.");
    expect(errorSentence(new Error("boom"))).toBe("Something went wrong. Please try again.");
    expect(
      errorSentence(
        new ConnectError("too many sign-up or login attempts, try again in a minute", Code.ResourceExhausted),
      ),
    ).toBe("Too many sign-up or login attempts, try again in a minute.");
  });
});

describe("formErrorsFrom", () => {
  it("maps BadRequest field violations to the song form's fields", () => {
    const err = invalid([
      { field: "song.name", description: "must not be empty" },
      { field: "song.year", description: "must be between 1000 and 2100" },
    ]);
    const errors = songErrors(err);
    expect(errors).toEqual({
      fields: { name: "Name must not be empty.", year: "Year must be between 1000 and 2100." },
    });
    expect(invalidFields(errors, ["name", "artist", "year"])).toEqual(["name", "year"]);
  });

  it("maps email and password violations for sign-up", () => {
    const err = invalid([
      { field: "email", description: "must not be empty" },
      { field: "password", description: "must be at least 8 characters" },
    ]);
    expect(signUpErrors(err).fields).toEqual({
      email: "Email must not be empty.",
      password: "Password must be at least 8 characters.",
    });
  });

  it("joins two violations of one field, and puts unknown fields on the form", () => {
    const err = invalid([
      { field: "song.name", description: "must not be empty" },
      { field: "song.name", description: "must be at most 200 characters" },
      { field: "update_mask", description: "unknown or read-only field 'x'" },
    ]);
    expect(songErrors(err)).toEqual({
      fields: { name: "Name must not be empty. Name must be at most 200 characters." },
      form: "Update_mask unknown or read-only field 'x'.",
    });
  });

  it("uses special wording for some codes", () => {
    expect(signUpErrors(new ConnectError("taken", Code.AlreadyExists))).toEqual({
      fields: { email: "An account with this email already exists. Log in instead." },
    });
    expect(loginErrors(new ConnectError("wrong email or password", Code.Unauthenticated))).toEqual({
      fields: {},
      form: "The email or password is not right.",
    });
  });

  it("falls back to one sentence for the form", () => {
    expect(formErrorsFrom(new ConnectError("x", Code.Unavailable), {})).toEqual({
      fields: {},
      form: "The service is not available right now. Please try again in a moment.",
    });
    expect(formErrorsFrom(new ConnectError("page_token is bad", Code.InvalidArgument), {}).form).toBe(
      "Page_token is bad.",
    );
  });

  it("ignores inherited object keys as field paths", () => {
    const err = invalid([{ field: "constructor", description: "is odd" }]);
    expect(formErrorsFrom(err, {})).toEqual({ fields: {}, form: "Constructor is odd." });
  });
});

/** google.rpc.Status{code, message, details: [Any(BadRequest)]}, as the services send it. */
function statusDetailsBin(
  code: number,
  message: string,
  violations: { field: string; description: string }[],
) {
  const badRequest = create(BadRequestSchema, { fieldViolations: violations });
  const any = create(AnySchema, {
    typeUrl: "type.googleapis.com/google.rpc.BadRequest",
    value: toBinary(BadRequestSchema, badRequest),
  });
  const status = new BinaryWriter()
    .tag(1, WireType.Varint)
    .int32(code)
    .tag(2, WireType.LengthDelimited)
    .string(message)
    .tag(3, WireType.LengthDelimited)
    .bytes(toBinary(AnySchema, any))
    .finish();
  return base64Encode(status, "std_raw");
}

describe("details from a real gRPC-Web reply", () => {
  it("decodes grpc-status-details-bin of a trailers-only reply into field errors", async () => {
    const violations = [{ field: "song.artist", description: "must not be empty" }];
    const fetch: typeof globalThis.fetch = () =>
      Promise.resolve(
        new Response(null, {
          status: 200,
          headers: {
            "content-type": "application/grpc-web+proto",
            "grpc-status": "3",
            "grpc-message": "invalid%20song.artist",
            "grpc-status-details-bin": statusDetailsBin(3, "invalid song.artist", violations),
          },
        }),
      );
    const client = createClient(
      SongService,
      createGrpcWebTransport({ baseUrl: "http://gateway.test", fetch }),
    );
    const err = await client.createSong({ song: { name: "A", artist: "" } }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectError);
    expect(fieldViolations(err)).toEqual(violations);
    expect(songErrors(err)).toEqual({ fields: { artist: "Artist must not be empty." } });
  });
});
