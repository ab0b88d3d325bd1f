import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createQueryClient } from "./api/queryClient";
import { createServices, grpcWebTransports } from "./api/services";
import { ServicesContext } from "./api/ServicesContext";
import { localStorageRefreshTokenStore } from "./auth/refreshTokenStore";
import { App } from "./components/App";
import { gatewayUrl } from "./config";
import "./styles.css";

const services = createServices(grpcWebTransports(gatewayUrl), localStorageRefreshTokenStore());
const queryClient = createQueryClient();
const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

createRoot(root).render(
  <StrictMode>
    <ServicesContext.Provider value={services}>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </ServicesContext.Provider>
  </StrictMode>,
);
