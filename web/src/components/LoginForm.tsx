import { useServices } from "../api/ServicesContext";
import { loginErrors } from "../auth/authErrors";
import { CredentialsForm } from "./CredentialsForm";

interface LoginFormProps {
  onSwitch: () => void;
}

export function LoginForm({ onSwitch }: LoginFormProps) {
  const { auth, session } = useServices();
  async function logIn(email: string, password: string) {
    const response = await auth.login({ email, password });
    if (response.session) session.start(response.session);
  }
  return (
    <CredentialsForm
      heading="Log in to Chorus"
      submitLabel="Log in"
      passwordAutoComplete="current-password"
      onSubmit={logIn}
      errorsFrom={loginErrors}
    >
      <p>
        New here?{" "}
        <button type="button" className="link-button" onClick={onSwitch}>
          Create an account
        </button>
      </p>
    </CredentialsForm>
  );
}
