import { useServices } from "../api/ServicesContext";
import { signUpErrors } from "../auth/authErrors";
import { CredentialsForm } from "./CredentialsForm";

interface SignUpFormProps {
  onSwitch: () => void;
}

export function SignUpForm({ onSwitch }: SignUpFormProps) {
  const { auth, session } = useServices();
  async function signUp(email: string, password: string) {
    const response = await auth.signUp({ email, password });
    if (response.session) session.start(response.session);
  }
  return (
    <CredentialsForm
      heading="Create your Chorus account"
      submitLabel="Sign up"
      passwordAutoComplete="new-password"
      passwordHint="At least 8 characters."
      onSubmit={signUp}
      errorsFrom={signUpErrors}
    >
      <p>
        Have an account?{" "}
        <button type="button" className="link-button" onClick={onSwitch}>
          Use an existing account
        </button>
      </p>
    </CredentialsForm>
  );
}
