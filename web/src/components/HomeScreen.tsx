import { SongsSection } from "./SongsSection";
import { WhoAmIPanel } from "./WhoAmIPanel";

/** What a signed-in user sees. */
export function HomeScreen() {
  return (
    <div className="home">
      <WhoAmIPanel />
      <SongsSection />
    </div>
  );
}
