/** One look for the whole app, light and dark (Mantine's theme). */
import { createTheme } from "@mantine/core";

export const theme = createTheme({
  primaryColor: "indigo",
  // The darker shade in light mode: white on it, and it on white, pass WCAG AA contrast.
  primaryShade: { light: 8, dark: 5 },
  defaultRadius: "md",
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
  headings: { fontWeight: "650" },
  // Focus rings only for keyboard users (never after a click or a page load).
  focusRing: "auto",
});
