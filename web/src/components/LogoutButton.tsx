import { useServices } from "../api/ServicesContext";

/** Ends the session: forgets the tokens here at once, then tells the server. */
export function LogoutButton() {
  const { session } = useServices();
  return (
    <button type="button" onClick={() => void session.logOut()}>
      Log out
    </button>
  );
}
