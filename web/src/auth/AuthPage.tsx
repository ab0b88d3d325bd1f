import { Alert, Container } from "@mantine/core";
import { useEffect } from "react";
import { useLocation } from "react-router";
import { useServices } from "../api/ServicesContext";
import { CredentialsForm } from "./CredentialsForm";
import { loginErrors, signUpErrors } from "./authErrors";

interface AuthPageProps {
  /** Why the user sees this page, e.g. the session ended. */
  notice?: string;
}

/**
 * Log in (any address while signed out, so a shared link opens after
 * logging in) or sign up (`/signup`).
 */
export function AuthPage({ notice }: AuthPageProps) {
  const { auth, session } = useServices();
  const signingUp = useLocation().pathname === "/signup";
  useEffect(() => {
    document.title = `${signingUp ? "Sign up" : "Log in"} · Chorus`;
  }, [signingUp]);

  return (
    <Container size="xs" py="xl">
      {notice && (
        <Alert role="status" color="yellow" mb="md">
          {notice}
        </Alert>
      )}
      {signingUp ? (
        <CredentialsForm
          key="signup"
          heading="Create your Chorus account"
          submitLabel="Sign up"
          passwordAutoComplete="new-password"
          passwordHint="At least 8 characters."
          onSubmit={async (email, password) => {
            const { session: started } = await auth.signUp({ email, password });
            if (started) session.start(started);
          }}
          errorsFrom={signUpErrors}
          other={{ question: "Have an account?", label: "Use an existing account", to: "/login" }}
        />
      ) : (
        <CredentialsForm
          key="login"
          heading="Log in to Chorus"
          submitLabel="Log in"
          passwordAutoComplete="current-password"
          onSubmit={async (email, password) => {
            const { session: started } = await auth.login({ email, password });
            if (started) session.start(started);
          }}
          errorsFrom={loginErrors}
          other={{ question: "New here?", label: "Create an account", to: "/signup" }}
        />
      )}
    </Container>
  );
}
