import { Anchor, Button, Paper, Stack, Text, TextInput, Title } from "@mantine/core";
import type { FormEvent } from "react";
import { useId, useState } from "react";
import { Link } from "react-router";
import type { FormErrors } from "../errors/formErrors";
import { useFormErrors } from "../errors/useFormErrors";
import { FormError } from "../ui/FormError";
import type { CredentialField } from "./authErrors";
import { CREDENTIAL_FIELDS } from "./authErrors";

interface CredentialsFormProps {
  heading: string;
  submitLabel: string;
  passwordAutoComplete: "current-password" | "new-password";
  passwordHint?: string;
  onSubmit: (email: string, password: string) => Promise<void>;
  errorsFrom: (err: unknown) => FormErrors<CredentialField>;
  /** The way to the other form: its question, link text and route. */
  other: { question: string; label: string; to: string };
}

/** Email and password: the body of both the sign-up and the login page. */
export function CredentialsForm({
  heading,
  submitLabel,
  passwordAutoComplete,
  passwordHint,
  onSubmit,
  errorsFrom,
  other,
}: CredentialsFormProps) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [pending, setPending] = useState(false);
  const { errors, show, clear, fieldRef, formErrorRef } = useFormErrors(CREDENTIAL_FIELDS);
  const headingId = useId();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    setPending(true);
    clear();
    try {
      await onSubmit(email, password);
    } catch (err) {
      show(errorsFrom(err));
    } finally {
      setPending(false);
    }
  }

  return (
    <Paper component="section" withBorder p="lg" maw={420} mx="auto" aria-labelledby={headingId}>
      <Title order={1} size="h2" id={headingId} mb="md">
        {heading}
      </Title>
      <form onSubmit={(e) => void submit(e)} noValidate aria-busy={pending} aria-labelledby={headingId}>
        <Stack gap="sm">
          <TextInput
            ref={fieldRef("email")}
            label="Email"
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={errors.fields.email}
          />
          <TextInput
            ref={fieldRef("password")}
            label="Password"
            type="password"
            autoComplete={passwordAutoComplete}
            required
            description={passwordHint}
            inputWrapperOrder={["label", "input", "description", "error"]}
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={errors.fields.password}
          />
          <FormError ref={formErrorRef} message={errors.form} />
          <Button type="submit" loading={pending}>
            {submitLabel}
          </Button>
        </Stack>
      </form>
      <Text size="sm" mt="md">
        {other.question}{" "}
        <Anchor component={Link} to={other.to}>
          {other.label}
        </Anchor>
      </Text>
    </Paper>
  );
}
