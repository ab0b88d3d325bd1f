import { useEffect, useState } from "react";
import { LoginForm } from "./LoginForm";
import { SignUpForm } from "./SignUpForm";

type Mode = "login" | "signup";

interface AuthScreenProps {
  /** Why the user sees this screen, e.g. the session ended. */
  notice?: string;
}

function modeFromHash(): Mode {
  return window.location.hash === "#signup" ? "signup" : "login";
}

/**
 * Log in or sign up. Opens on the login form; a link to `/#signup` opens the
 * sign-up form (the hash is then dropped, so a later logout shows the login).
 */
export function AuthScreen({ notice }: AuthScreenProps) {
  const [mode, setMode] = useState<Mode>(modeFromHash);

  useEffect(() => {
    if (window.location.hash === "#signup") {
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
    }
  }, []);

  return (
    <div className="auth-screen">
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {mode === "login" ? (
        <LoginForm key="login" onSwitch={() => setMode("signup")} />
      ) : (
        <SignUpForm key="signup" onSwitch={() => setMode("login")} />
      )}
    </div>
  );
}
