import "@mantine/core/styles.css";
import "@mantine/notifications/styles.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { createQueryClient } from "./api/queryClient";
import { createServices, grpcWebTransports } from "./api/services";
import { App } from "./app/App";
import { Providers } from "./app/Providers";
import { localStorageRefreshTokenStore } from "./auth/refreshTokenStore";
import { ErrorBoundary } from "./ui/ErrorBoundary";
import { gatewayUrl } from "./config";
import "./styles.css";

const services = createServices(grpcWebTransports(gatewayUrl), localStorageRefreshTokenStore());
const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

createRoot(root).render(
  <StrictMode>
    <Providers services={services} queryClient={createQueryClient()}>
      {/* The shell has one per page; this one is for the shell itself. */}
      <ErrorBoundary>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </ErrorBoundary>
    </Providers>
  </StrictMode>,
);
